// What rules read of the synthesized app: a resource's resolved properties, its logical id, and
// the other resources of the app by type. During a run of the pack (beginRun/endRun) everything
// is indexed once and memoized; outside a run (a rule called on its own) nothing is cached, so a
// rule never judges a tree that has changed since.
import { CfnResource, Stack, Stage, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A value of a template, read by its shape (the rules check every field they use). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON has no static type
export type TemplateValue = any;

/** A CloudFormation resource of the app, as a rule sees it. */
export interface ResourceView {
  readonly node: CfnResource;
  readonly type: string;
  readonly logicalId: string;
  readonly stack: Stack;
  /** The resource's properties, resolved (tokens become `Ref`, `Fn::GetAtt` and friends). */
  readonly properties: Record<string, TemplateValue>;
}

interface Run {
  root?: IConstruct;
  byType?: Map<string, CfnResource[]>;
  readonly views: WeakMap<CfnResource, ResourceView>;
  readonly memo: Map<string, unknown>;
}

let run: Run | undefined;

/** Starts a run of the pack: views, the index and memoized results live until {@link endRun}. */
export function beginRun(): void {
  run = { views: new WeakMap(), memo: new Map() };
}

/** Ends the run: nothing cached survives it. */
export function endRun(): void {
  run = undefined;
}

/** `compute()`, once per run and key; outside a run, every time. */
export function memoized<T>(key: string, compute: () => T): T {
  if (!run) return compute();
  if (!run.memo.has(key)) run.memo.set(key, compute());
  return run.memo.get(key) as T;
}

/** The view of one resource. */
export function viewOf(node: CfnResource): ResourceView {
  const cached = run?.views.get(node);
  if (cached) return cached;
  const stack = Stack.of(node);
  const resolved = stack.resolve((node as unknown as { _toCloudFormation(): Record<string, Record<string, unknown>> })._toCloudFormation()) as Record<string, Record<string, { Properties?: Record<string, unknown> }>>;
  const entry = Object.values(resolved.Resources ?? {})[0] ?? {};
  const view = { node, type: node.cfnResourceType, logicalId: stack.resolve(node.logicalId) as string, stack, properties: (entry.Properties ?? {}) as Record<string, TemplateValue> };
  run?.views.set(node, view);
  return view;
}

/** The app's CloudFormation resources by type (unresolved: each is resolved when a rule asks for its type). */
function index(root: IConstruct): Map<string, CfnResource[]> {
  if (run?.byType && run.root === root) return run.byType;
  const byType = new Map<string, CfnResource[]>();
  for (const c of root.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    const list = byType.get(c.cfnResourceType) ?? [];
    list.push(c);
    byType.set(c.cfnResourceType, list);
  }
  if (run) {
    run.root = root;
    run.byType = byType;
  }
  return byType;
}

/** Every resource of `type` in the app, as views. */
function allOfType(node: IConstruct, type: string): ResourceView[] {
  return memoized(`type:${type}`, () => (index(node.node.root).get(type) ?? []).map(viewOf));
}

/**
 * Every resource of `type` in the stack that holds `node`: the only ones its `Ref` and
 * `Fn::GetAtt` can name (logical ids repeat across stacks).
 */
export function resourcesOfType(node: IConstruct, type: string): ResourceView[] {
  const stack = Stack.of(node);
  return allOfType(node, type).filter((r) => r.stack === stack);
}

/**
 * Every resource of `type` that `node` can meet by name: in the same stage (an App's other stages
 * are other deployments) and the same account and region, in any stack (nested ones too).
 */
export function appResourcesOfType(node: IConstruct, type: string): ResourceView[] {
  const stage = Stage.of(node);
  const { account, region } = Stack.of(node);
  return allOfType(node, type).filter((r) => Stage.of(r.node) === stage && sameEnv(r.stack.account, account) && sameEnv(r.stack.region, region));
}

/** Two environment values are the same, or at least one is not known at synth (an env-agnostic stack). */
function sameEnv(a: string, b: string): boolean {
  return a === b || Token.isUnresolved(a) || Token.isUnresolved(b);
}

/** Whether `value` (resolved JSON) refers to the resource `logicalId` (`Ref` or `Fn::GetAtt`) anywhere inside. */
export function refersTo(value: unknown, logicalId: string): boolean {
  const json = JSON.stringify(value ?? null);
  return json.includes(`{"Ref":"${logicalId}"}`) || json.includes(`{"Fn::GetAtt":["${logicalId}",`);
}

/**
 * Whether a resolved `KmsKeyId`-like property names a customer-managed key: set, and not an AWS
 * managed key by alias name or alias ARN (`alias/aws/<service>`, as `kms.Alias.fromAliasName` gives).
 */
export function isCustomerManagedKey(key: unknown): boolean {
  return key !== undefined && !JSON.stringify(key).includes('alias/aws/');
}

/** A literal string (not a token, not an intrinsic). */
export function isLiteralString(value: unknown): value is string {
  return typeof value === 'string' && !Token.isUnresolved(value);
}

/** The tags of a resource's properties (`Tags` as a list of `{ Key, Value }` or a map). */
export function tagsOf(properties: Record<string, TemplateValue>): Record<string, unknown> {
  const tags = properties.Tags;
  if (Array.isArray(tags)) return Object.fromEntries(tags.filter((t) => t && typeof t.Key === 'string').map((t) => [t.Key, t.Value]));
  return tags && typeof tags === 'object' ? (tags as Record<string, unknown>) : {};
}
