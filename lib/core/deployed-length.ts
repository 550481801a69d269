// How long a resolved CloudFormation value will be once deployed: what IAM counts in a policy and
// Lambda in an environment. Values CloudFormation fills in are estimated: a pseudo parameter as
// its longest real value, an attribute or a reference as a long ARN, a piece of a split ARN as a
// short name.

/**
 * The length assumed for a Ref or Fn::GetAtt of a resource: an ARN or a name with a long stack
 * name. The library names secrets `integrations/<platform path, up to 200>/<credential>`, so an ARN
 * can reach about 270 characters; most are under 150.
 */
export const ESTIMATED_REFERENCE_LENGTH = 180;

/** A piece of a split ARN (Fn::Select of Fn::Split): a region, an id, a random suffix. */
const ESTIMATED_SELECT_LENGTH = 24;

/** The longest value of each pseudo parameter. */
const PSEUDO_PARAMETER_LENGTH: Readonly<Record<string, number>> = {
  'AWS::Region': 14, // ap-southeast-4
  'AWS::AccountId': 12,
  'AWS::Partition': 10, // aws-us-gov
  'AWS::URLSuffix': 16, // amazonaws.com.cn
  'AWS::StackName': 128,
  'AWS::StackId': 200,
  'AWS::NoValue': 0,
};

/** The deployed length of a resolved string value (a literal, a Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Sub...). */
export function deployedValueLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if ('Ref' in o) return PSEUDO_PARAMETER_LENGTH[String(o.Ref)] ?? ESTIMATED_REFERENCE_LENGTH;
    if ('Fn::GetAtt' in o || 'Fn::ImportValue' in o || 'Fn::GetStackOutput' in o) return ESTIMATED_REFERENCE_LENGTH;
    if ('Fn::Select' in o) return ESTIMATED_SELECT_LENGTH;
    if ('Fn::Join' in o) {
      const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
      return Array.isArray(parts) ? parts.reduce((sum: number, p) => sum + deployedValueLength(p), 0) + separator.length * Math.max(0, parts.length - 1) : ESTIMATED_REFERENCE_LENGTH;
    }
  }
  return ESTIMATED_REFERENCE_LENGTH;
}

/**
 * The deployed length of a resolved JSON document as `JSON.stringify` writes it compactly (what IAM
 * counts, white space aside, and what Lambda measures of an environment): structure and literals
 * as written, each deploy-time value by {@link deployedValueLength} with its quotes.
 */
export function deployedJsonLength(document: unknown): number {
  if (Array.isArray(document)) return 2 + document.reduce((sum: number, item) => sum + deployedJsonLength(item), 0) + Math.max(0, document.length - 1);
  if (document && typeof document === 'object') {
    const o = document as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return deployedValueLength(o) + 2;
    return 2 + keys.reduce((sum, k) => sum + JSON.stringify(k).length + 1 + deployedJsonLength(o[k]), 0) + Math.max(0, keys.length - 1);
  }
  return JSON.stringify(document ?? null).length;
}
