// The quotas a platform's stack and its app can reach as a catalog grows, checked when the tree is
// complete (see docs/QUOTAS.md): CloudFormation's resources and template size per stack, and per
// account and Region the reserved concurrency and the default event bus's rules of every stack the
// app deploys there.
import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

/** A stack as errors name it: its name, or for a nested stack (named at deploy) its construct path. */
const stackLabel = (stack: Stack) => (Token.isUnresolved(stack.stackName) ? `${stack.node.path} (nested)` : stack.stackName);

/**
 * The most resources a CloudFormation stack may hold.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
export const STACK_MAX_RESOURCES = 500;

/**
 * The platform's stack against CloudFormation's 500 resources (counted before aws-cdk-lib's own
 * check so that the error names the integrations, what each costs and the fix) and 1 MB template.
 */
export function checkStackQuotas(stack: Stack, platform: IConstruct, integrations: number): string[] {
  const resources = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
  if (resources <= STACK_MAX_RESOURCES) return checkTemplateBytes(stack, resources, integrations);
  const platformOwn = stack === Stack.of(platform) ? platform.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length : 0;
  const each = Math.ceil((resources - platformOwn) / integrations);
  return [
    `Stack ${stackLabel(stack)} holds ${resources} resources; CloudFormation allows ${STACK_MAX_RESOURCES} per stack ` +
      '(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). It holds ' +
      `${integrations} integrations of its platform, about ${each} resources each beside the platform's ${platformOwn}. Lower the platform's ` +
      'stackBudget.maxResources, so that fewer integrations go to each stack before the platform adds a nested stack, or move some to a NestedStack of the platform\'s stack.',
  ];
}

/**
 * The most bytes a template may have when CloudFormation reads it from S3, as the CDK deploys it.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
export const TEMPLATE_MAX_BYTES = 1_000_000;

/** Below this many resources no stack of the library's comes near {@link TEMPLATE_MAX_BYTES}: the template is not rendered twice. */
const TEMPLATE_BYTES_CHECKED_FROM = 250;

/** The platform's stack against CloudFormation's 1 MB template, rendered as it will be synthesized. */
function checkTemplateBytes(stack: Stack, resources: number, integrations: number): string[] {
  if (resources < TEMPLATE_BYTES_CHECKED_FROM) return [];
  // The template as synthesis renders it (aws-cdk-lib's own rendering; not part of its public API, so any failure skips the check).
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify((stack as unknown as { _toCloudFormation(): unknown })._toCloudFormation(), undefined, 1));
  } catch {
    return [];
  }
  if (bytes <= TEMPLATE_MAX_BYTES) return [];
  return [
    `Stack ${stackLabel(stack)}'s template is ${bytes} bytes; CloudFormation reads at most ${TEMPLATE_MAX_BYTES} from S3 ` +
      `(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). Its platform has ${integrations} integrations, ` +
      `about ${Math.round(bytes / integrations / 1000)} KB each. Lower the platform's stackBudget.maxResources, so that fewer integrations go to each stack before the platform adds a nested stack.`,
  ];
}

/**
 * An account's concurrent executions per Region by default (adjustable), and what Lambda keeps
 * unreserved: reserved concurrency may take at most the difference.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 */
export const LAMBDA_DEFAULT_CONCURRENCY = 1_000;
/** Concurrency Lambda keeps unreserved in every account and Region. */
export const LAMBDA_MIN_UNRESERVED_CONCURRENCY = 100;

/**
 * The reserved concurrency of every function the app deploys to this platform's account and Region
 * against what a default account can reserve (1,000 less the 100 Lambda keeps unreserved). The
 * first platform of the app in that environment reports it, once.
 */
export function checkAccountQuotas(platform: IConstruct): string[] {
  const envOf = (c: IConstruct) => (Token.isUnresolved(Stack.of(c).account) || Token.isUnresolved(Stack.of(c).region) ? 'the environment-agnostic stacks\' account and Region' : `${Stack.of(c).account}/${Stack.of(c).region}`);
  const env = envOf(platform);
  const platforms = (platformsOfApp.get(platform.node.root) ?? []).filter((c) => envOf(c) === env);
  if (platforms[0] !== platform) return [];
  // One walk of the app's tree for both account-wide checks.
  const constructs = platform.node.root.node.findAll();
  const functions = constructs.filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction && envOf(c) === env);
  // A value known only at deploy (a parameter) cannot be summed: it is left out.
  const reserved = functions.reduce((sum, f) => {
    const value = f.reservedConcurrentExecutions;
    return sum + (typeof value === 'number' && !Token.isUnresolved(value) ? value : 0);
  }, 0);
  const available = LAMBDA_DEFAULT_CONCURRENCY - LAMBDA_MIN_UNRESERVED_CONCURRENCY;
  const errors = checkDefaultBusRules(constructs, env, envOf);
  if (reserved <= available) return errors;
  return [
    ...errors,
    `The app reserves ${reserved} concurrent executions for ${functions.length} functions in ${env}; an account with Lambda's default ${LAMBDA_DEFAULT_CONCURRENCY} ` +
      `can reserve at most ${available} (Lambda keeps ${LAMBDA_MIN_UNRESERVED_CONCURRENCY} unreserved; https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). ` +
      'Lower reservedConcurrentExecutions (IntegrationFunction, the platform\'s ingest), or raise "Concurrent executions" in Service Quotas before deploying.',
  ];
}

/**
 * Rules per event bus by default (adjustable), the default bus of an account and Region included.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
 */
export const EVENTBRIDGE_RULES_PER_BUS = 300;

/** The app's rules on the default event bus of one account and Region, against the default quota. */
function checkDefaultBusRules(constructs: readonly IConstruct[], env: string, envOf: (c: IConstruct) => string): string[] {
  const rules = constructs
    .filter((c): c is events.CfnRule => c instanceof events.CfnRule && envOf(c) === env && (c.eventBusName === undefined || c.eventBusName === 'default'));
  if (rules.length <= EVENTBRIDGE_RULES_PER_BUS) return [];
  return [
    `The app puts ${rules.length} rules on the default event bus of ${env}; EventBridge allows ${EVENTBRIDGE_RULES_PER_BUS} per bus by default, other apps' rules included ` +
      '(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html). Each platform adds 5 and each scheduled sync 1: raise "Rules per event bus" in Service Quotas before deploying.',
  ];
}

/** The platforms of each app, in the order they were made: the first of an environment runs the app-wide checks. */
const platformsOfApp = new WeakMap<IConstruct, IConstruct[]>();

/** Records a platform of its app, so that the first of each environment runs {@link checkAccountQuotas} once. */
export function registerPlatform(platform: IConstruct): void {
  const root = platform.node.root;
  platformsOfApp.set(root, [...(platformsOfApp.get(root) ?? []), platform]);
}
