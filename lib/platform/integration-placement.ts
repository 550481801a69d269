// Where an integration's resources go: the platform's stack while it has room, then nested stacks
// the platform adds ("spill stacks"), or the nested stack of the platform's stack the user chose.
// Placement follows construction order, so a catalog that grows by adding integrations at the end
// keeps every existing one where it is.
import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import { STACK_MAX_RESOURCES } from './platform-quotas';

/**
 * How full a stack of the platform may get before further integrations go to a new nested stack.
 */
export interface StackBudget {
  /**
   * Resources a stack may hold before the platform puts further integrations in a new nested
   * stack. The last integration placed may add more (about 20 to 45, see BENCHMARKS.md), and the
   * platform's stack keeps the API's path parts shared by later integrations, so keep headroom
   * under CloudFormation's 500. From 50 to 480.
   * @default 400
   */
  readonly maxResources?: number;
  /**
   * Template bytes a stack may reach, estimated as it fills (2,000 bytes a resource, the most the
   * library's resources average in BENCHMARKS.md, plus 1.3 times the bytes of each request model,
   * which the template holds escaped), before the platform puts further integrations in a new
   * nested stack. The template as written is checked against CloudFormation's 1 MB at synth. From
   * 100,000 to 950,000.
   * @default 800000
   */
  readonly maxTemplateBytes?: number;
}

/** Estimated template bytes of one resource of the library's (BENCHMARKS.md measures 1.9 KB on average). */
export const ESTIMATED_BYTES_PER_RESOURCE = 2_000;
/** A request model's schema sits in the template as an escaped JSON string. */
const MODEL_BYTES_FACTOR = 1.3;

/** The default {@link StackBudget.maxTemplateBytes}. */
export const DEFAULT_STACK_BUDGET_BYTES = 800_000;

/** The default {@link StackBudget.maxResources}. */
export const DEFAULT_STACK_BUDGET_RESOURCES = 400;

/** Where one integration's resources go. */
export interface IntegrationHome {
  /** The construct the integration's resources go under: the integration itself, or its stand-in in a spill stack. */
  readonly scope: Construct;
  /** The stack that holds them. */
  readonly stack: Stack;
  /** Whether that stack is one the platform added. */
  readonly spilled: boolean;
}

/** The budget, checked and with its defaults. */
export function validateStackBudget(path: string, budget: StackBudget | undefined): Required<StackBudget> {
  const maxResources = budget?.maxResources ?? DEFAULT_STACK_BUDGET_RESOURCES;
  if (!Number.isInteger(maxResources) || maxResources < 50 || maxResources > STACK_MAX_RESOURCES - 20) {
    throw new IntegrationConfigError(path, 'stackBudget.maxResources', maxResources, `Give a whole number from 50 to ${STACK_MAX_RESOURCES - 20}: CloudFormation allows ${STACK_MAX_RESOURCES} resources a stack, and the last integration placed needs room.`);
  }
  const maxTemplateBytes = budget?.maxTemplateBytes ?? DEFAULT_STACK_BUDGET_BYTES;
  if (!Number.isInteger(maxTemplateBytes) || maxTemplateBytes < 100_000 || maxTemplateBytes > 950_000) {
    throw new IntegrationConfigError(path, 'stackBudget.maxTemplateBytes', maxTemplateBytes, 'Give a whole number of bytes from 100000 to 950000: CloudFormation reads templates of at most 1,000,000 bytes, and the last integration placed needs room.');
  }
  return { maxResources, maxTemplateBytes };
}

/** The resources of one stack (not of its nested stacks). */
export function countStackResources(stack: Stack): number {
  let n = 0;
  const visit = (c: IConstruct) => {
    for (const child of c.node.children) {
      if (Stack.isStack(child)) continue;
      if (CfnResource.isCfnResource(child)) n++;
      visit(child);
    }
  };
  visit(stack);
  return n;
}

/** Whether `stack` is `ancestor` or one of its nested stacks (at any depth). */
export function isWithinStack(stack: Stack, ancestor: Stack): boolean {
  for (let s: Stack | undefined = stack; s; s = s.nestedStackParent) if (s === ancestor) return true;
  return false;
}

/** Places a platform's integrations in stacks within the budget. */
export class IntegrationPlacement {
  private readonly spillStacks: NestedStack[] = [];
  private readonly full = new Set<Stack>();
  private readonly modelBytes = new Map<Stack, number>();

  constructor(
    private readonly platform: Construct,
    private readonly budget: Required<StackBudget>,
  ) {}

  /** Counts a request model's bytes against the template of the stack that holds it. */
  public addModelBytes(stack: Stack, bytes: number): void {
    this.modelBytes.set(stack, (this.modelBytes.get(stack) ?? 0) + bytes);
  }

  /** The stacks the platform added, in order. */
  public get spills(): readonly NestedStack[] {
    return this.spillStacks;
  }

  /**
   * Where the integration `integration` (named `name`) goes.
   * @throws IntegrationConfigError when it is in a stack other than the platform's or one nested in it
   */
  public place(integration: Construct, name: string): IntegrationHome {
    const platformStack = Stack.of(this.platform);
    const stack = Stack.of(integration);
    if (stack !== platformStack) {
      if (!isWithinStack(stack, platformStack)) {
        throw new IntegrationConfigError(
          integration.node.path,
          'platform',
          this.platform.node.path,
          `The integration is in stack ${stack.node.path}, which is not the platform's stack (${platformStack.node.path}) or nested in it. ` +
            'The API\'s deployment must follow every method, which CloudFormation orders only within a stack and its nested stacks: create the ' +
            'integration in the platform\'s stack (it moves to a nested stack of its own when the stack is full), in a NestedStack of that stack, or give this stack its own platform.',
        );
      }
      return { scope: integration, stack, spilled: false };
    }
    if (this.hasRoom(platformStack)) return { scope: integration, stack, spilled: false };
    let spill = this.spillStacks[this.spillStacks.length - 1];
    if (!spill || !this.hasRoom(spill)) {
      spill = new NestedStack(this.platform, `Integrations${this.spillStacks.length + 2}`, {
        description: `cdk-secure-integrations: integrations of platform ${this.platform.node.path} beyond the budget of ${this.budget.maxResources} resources or ${this.budget.maxTemplateBytes} bytes a stack (spill stack ${this.spillStacks.length + 2})`,
      });
      this.spillStacks.push(spill);
    }
    return { scope: new Construct(spill, name), stack: spill, spilled: true };
  }

  private hasRoom(stack: Stack): boolean {
    if (this.full.has(stack)) return false;
    const resources = countStackResources(stack);
    const bytes = resources * ESTIMATED_BYTES_PER_RESOURCE + MODEL_BYTES_FACTOR * (this.modelBytes.get(stack) ?? 0);
    if (resources < this.budget.maxResources && bytes < this.budget.maxTemplateBytes) return true;
    this.full.add(stack);
    return false;
  }
}
