/**
 * A configuration error found at synth time.
 *
 * Every message names the prop, shows the value that was given and says how to fix it,
 * so that a bad input never reaches a CloudFormation deployment.
 */
export class IntegrationConfigError extends Error {
  /** The prop (dotted path from the construct's props) that holds the bad value. */
  public readonly prop: string;

  constructor(construct: string, prop: string, value: unknown, fix: string) {
    super(`${construct}: invalid \`${prop}\` ${describeValue(value)}. ${fix}`);
    this.name = 'IntegrationConfigError';
    this.prop = prop;
  }
}

/** Renders a value for an error message: strings quoted, objects as short JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  if (typeof value === 'string') return `'${value}'`;
  try {
    const json = JSON.stringify(value);
    if (json === undefined) return `(${typeof value})`;
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return `(${typeof value})`;
  }
}
