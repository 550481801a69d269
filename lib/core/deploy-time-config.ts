import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { INTEGRATION_RUNTIME } from '../functions/integration-function';
import type { ConfigValue } from './config-value';

/**
 * A function's config file, written at synth into a Lambda layer (`/opt/<folder>/<file>`) so that
 * only a deployment can change it. Values known only at deploy time (tokens: ARNs, ids) travel as
 * environment variables of the function, one per distinct value, referenced from the file as
 * `{ env: NAME }`.
 */
export class DeployTimeConfig {
  private readonly refs = new Map<string, string>();

  /**
   * @param fn the function that reads the file
   * @param envPrefix the prefix of the environment variables, for example `INGEST_REF_`
   */
  constructor(
    private readonly fn: lambda.Function,
    private readonly envPrefix: string,
  ) {}

  /** A literal as it is; a token as a reference to the environment variable that will hold it. */
  public value(value: string): ConfigValue {
    if (!Token.isUnresolved(value)) return value;
    let name = this.refs.get(value);
    if (!name) {
      name = `${this.envPrefix}${this.refs.size}`;
      this.refs.set(value, name);
      this.fn.addEnvironment(name, value);
    }
    return { env: name };
  }

  /** How many deploy-time values the file references. */
  public get referenceCount(): number {
    return this.refs.size;
  }

  /**
   * Writes the file into a new layer of the function. The references' size in the environment is
   * checked with every IntegrationFunction's (see functions/environment-size.ts).
   */
  public writeLayer(scope: Construct, id: string, path: { readonly folder: string; readonly file: string }, content: unknown, description: string): lambda.LayerVersion {
    const dir = mkdtempSync(join(tmpdir(), `${path.folder}-config-`));
    mkdirSync(join(dir, path.folder));
    writeFileSync(join(dir, path.folder, path.file), JSON.stringify(content));
    const layer = new lambda.LayerVersion(scope, id, {
      code: lambda.Code.fromAsset(dir),
      compatibleRuntimes: [INTEGRATION_RUNTIME],
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      description,
    });
    this.fn.addLayers(layer);
    return layer;
  }
}
