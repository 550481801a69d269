// Values of a function's config file (a file in a Lambda layer, written at synth) that are known
// only at deploy time. Types only, no imports: handler bundles import this file.

/**
 * A value known only at deploy time (a token at synth): the function reads it from the environment
 * variable named here.
 */
export interface EnvRef {
  readonly env: string;
}

/** A config value: a literal, or a reference to an environment variable that holds it. */
export type ConfigValue = string | EnvRef;
