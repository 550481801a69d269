// What rules read of the synthesized app: a resource's resolved properties, its logical id, and
// the other resources of the app by type (indexed once per validation run).
import { CfnResource, Stack, Token } from 'aws-cdk-lib';
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

let index: { root: IConstruct; byType: Map<string, ResourceView[]> } | undefined;

/** Forgets the index: called when a validation run starts, so each run sees the tree as it is. */
export function resetResourceIndex(): void {
  index = undefined;
}

/** The view of one resource. */
export function viewOf(node: CfnResource): ResourceView {
  const stack = Stack.of(node);
  const resolved = stack.resolve((node as unknown as { _toCloudFormation(): Record<string, Record<string, unknown>> })._toCloudFormation()) as Record<string, Record<string, { Properties?: Record<string, unknown> }>>;
  const entry = Object.values(resolved.Resources ?? {})[0] ?? {};
  return { node, type: node.cfnResourceType, logicalId: stack.resolve(node.logicalId) as string, stack, properties: (entry.Properties ?? {}) as Record<string, TemplateValue> };
}

/**
 * Every resource of `type` in the stack that holds `node`: the only ones its `Ref` and
 * `Fn::GetAtt` can name (logical ids repeat across stacks).
 */
export function resourcesOfType(node: IConstruct, type: string): ResourceView[] {
  const stack = Stack.of(node);
  return appResourcesOfType(node, type).filter((r) => r.stack === stack);
}

/** Every resource of `type` in the app that holds `node` (every stack, nested ones too), for matches by name. */
export function appResourcesOfType(node: IConstruct, type: string): ResourceView[] {
  const root = node.node.root;
  if (!index || index.root !== root) {
    const byType = new Map<string, ResourceView[]>();
    for (const c of root.node.findAll()) {
      if (!CfnResource.isCfnResource(c)) continue;
      const view = viewOf(c);
      byType.set(view.type, [...(byType.get(view.type) ?? []), view]);
    }
    index = { root, byType };
  }
  return index.byType.get(type) ?? [];
}

/** Whether `value` (resolved JSON) refers to the resource `logicalId` (`Ref` or `Fn::GetAtt`) anywhere inside. */
export function refersTo(value: unknown, logicalId: string): boolean {
  const json = JSON.stringify(value ?? null);
  return json.includes(`{"Ref":"${logicalId}"}`) || json.includes(`{"Fn::GetAtt":["${logicalId}",`);
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
