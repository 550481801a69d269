import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { ConfigValue, IngestConfig, RotationConfigFile } from '../../lib';

/** The descriptions the platform gives its functions' config layers. */
const ROTATION_LAYER = 'cdk-secure-integrations rotation bindings';
const INGEST_LAYER = 'cdk-secure-integrations ingest route table';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/**
 * A stack synthesized into its cloud assembly: the template, and the config files the platform
 * wrote into its functions' layers, read from the layers' assets as they would be deployed.
 */
export interface SynthesizedPlatform {
  readonly template: Template;
  /** The rotation function's config file (`rotation/config.json` of its config layer). */
  rotationConfig(): RotationConfigFile;
  /** The ingest function's config file (`ingest/config.json` of its config layer). */
  ingestConfig(): IngestConfig;
  /** The value a `{ env }` reference of a function's config file resolves to: that variable in the function's Environment. */
  resolve(functionLogicalId: string, value: ConfigValue): unknown;
  /** The logical id of the function a config layer (by description) is attached to. */
  functionWithLayer(description: 'rotation' | 'ingest'): string;
}

/**
 * Synthesizes the stack's app once and finds each config layer's asset through the stack's asset
 * manifest: the layer's `Content.S3Key` is `<asset hash>.zip`, and the manifest maps that hash to
 * the staged directory in the assembly.
 */
export function synthesizePlatform(stack: Stack): SynthesizedPlatform {
  const assembly = (stack.node.root as App).synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const json = artifact.template as { Resources: Resources };
  const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stack.stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const layerId = (description: string): string => {
    const ids = Object.entries(json.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::LayerVersion' && r.Properties?.Description === description)
      .map(([id]) => id);
    if (ids.length !== 1) throw new Error(`expected one layer "${description}", found ${ids.length}`);
    return ids[0];
  };
  const layerFile = <T>(description: string, file: string): T => {
    const content = json.Resources[layerId(description)].Properties?.Content as { S3Key: string };
    const hash = content.S3Key.replace(/\.zip$/, '');
    const asset = manifest.files[hash];
    if (!asset) throw new Error(`layer "${description}": no asset ${hash} in the asset manifest`);
    return JSON.parse(readFileSync(join(assembly.directory, asset.source.path, file), 'utf8')) as T;
  };
  const layers = { rotation: ROTATION_LAYER, ingest: INGEST_LAYER };
  return {
    template: Template.fromJSON(json),
    rotationConfig: () => layerFile<RotationConfigFile>(ROTATION_LAYER, join('rotation', 'config.json')),
    ingestConfig: () => layerFile<IngestConfig>(INGEST_LAYER, join('ingest', 'config.json')),
    resolve: (functionLogicalId, value) => {
      if (typeof value === 'string') return value;
      const variables = (json.Resources[functionLogicalId].Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      if (!(value.env in variables)) throw new Error(`${functionLogicalId} has no environment variable ${value.env}`);
      return variables[value.env];
    },
    functionWithLayer: (which) => {
      const layer = layerId(layers[which]);
      const ids = Object.entries(json.Resources)
        .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties?.Layers ?? []).includes(`"${layer}"`))
        .map(([id]) => id);
      if (ids.length !== 1) throw new Error(`expected one function with layer ${layer}, found ${ids.length}`);
      return ids[0];
    },
  };
}
