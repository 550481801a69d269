// An in-memory Secrets Manager holding one secret, for the rotation tests that need what moto cannot
// give: an error injected into one call (throttling, access denied, a conflict), another caller
// acting between two calls, a NextToken page, versions without labels, and AWS's own rules where
// moto's differ. Every request is recorded (command name and input), so a test asserts exactly
// what each call sent.
//
// It answers as the real service does (per the Secrets Manager API reference):
//  - DescribeSecret: VersionIdsToStages lists only versions that have a staging label.
//  - ListSecretVersionIds: versions without a label (deprecated) only with IncludeDeprecated; pages
//    of `pageSize` with a NextToken.
//  - GetSecretValue: without VersionId and VersionStage, AWSCURRENT; with both, they must name the
//    same version; a version without a value, or no such version, is ResourceNotFoundException.
//  - PutSecretValue: the ClientRequestToken is the version id; the same token with another value
//    is ResourceExistsException (with the same value, nothing happens); the labels in
//    VersionStages move to the version.
//  - UpdateSecretVersionStage: RemoveFromVersionId must name the version holding the label; moving
//    a label that another version holds needs that version as RemoveFromVersionId
//    (InvalidParameterException otherwise); AWSCURRENT leaves AWSPREVIOUS on the version it left.
//  - TagResource: adds or replaces the tags given.
import {
  InvalidParameterException,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerServiceException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

export interface MemoryVersion {
  readonly id: string;
  stages: string[];
  /** When the version was created, ms since the epoch. */
  readonly createdAt: number;
  value?: string;
  /** A SecretBinary value instead of a string. */
  readonly binary?: boolean;
}

export interface MemorySecret {
  readonly arn: string;
  readonly name: string;
  rotationEnabled: boolean;
  readonly tags: Map<string, string>;
  readonly versions: MemoryVersion[];
}

/** One request the code under test sent. */
export interface SentRequest {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

export interface MemorySecretsManagerOptions {
  /** Versions per ListSecretVersionIds page. @default all */
  readonly pageSize?: number;
  /** An error to answer a request with instead of running it (called for every request, with its 0-based index). */
  readonly fail?: (request: SentRequest, index: number) => Error | undefined;
  /** Runs after a request was answered (with a result or an error): another caller acting between two requests. */
  readonly after?: (request: SentRequest, secret: MemorySecret) => void;
}

/** An error of the service that the SDK does not model as a class (ThrottlingException, AccessDeniedException). */
export function serviceError(name: string, message: string): SecretsManagerServiceException {
  return new SecretsManagerServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';

export function memorySecretsManager(
  init: { arn: string; name: string; rotationEnabled?: boolean; tags?: Record<string, string>; versions: MemoryVersion[] },
  options: MemorySecretsManagerOptions = {},
) {
  const secret: MemorySecret = {
    arn: init.arn,
    name: init.name,
    rotationEnabled: init.rotationEnabled ?? true,
    tags: new Map(Object.entries(init.tags ?? {})),
    versions: init.versions,
  };
  const sent: SentRequest[] = [];
  const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: {} });
  const version = (id: unknown) => secret.versions.find((v) => v.id === id);
  const holder = (label: string) => secret.versions.find((v) => v.stages.includes(label));
  const stages = (): Record<string, string[]> => Object.fromEntries(secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, [...v.stages]]));
  const detach = (label: string) => {
    for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== label);
  };

  function answer(command: string, input: Record<string, unknown>): unknown {
    if (input.SecretId !== secret.arn && input.SecretId !== secret.name) throw notFound("Secrets Manager can't find the specified secret.");
    switch (command) {
      case 'DescribeSecretCommand':
        return {
          ARN: secret.arn,
          Name: secret.name,
          RotationEnabled: secret.rotationEnabled,
          VersionIdsToStages: stages(),
          Tags: [...secret.tags].map(([Key, Value]) => ({ Key, Value })),
        };
      case 'ListSecretVersionIdsCommand': {
        const listed = secret.versions.filter((v) => input.IncludeDeprecated === true || v.stages.length > 0);
        const size = options.pageSize ?? listed.length;
        const start = Number(input.NextToken ?? 0);
        return {
          Versions: listed.slice(start, start + size).map((v) => ({ VersionId: v.id, VersionStages: [...v.stages], CreatedDate: new Date(v.createdAt) })),
          NextToken: start + size < listed.length ? String(start + size) : undefined,
        };
      }
      case 'GetSecretValueCommand': {
        const byId = input.VersionId === undefined ? undefined : version(input.VersionId);
        const stage = input.VersionStage ?? (input.VersionId === undefined ? CURRENT : undefined);
        const v = input.VersionId === undefined ? holder(String(stage)) : byId && (stage === undefined || byId.stages.includes(String(stage))) ? byId : undefined;
        if (!v || (v.value === undefined && !v.binary)) {
          throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${String(input.VersionId)} and staging label: ${String(stage)}`);
        }
        return v.binary ? { ARN: secret.arn, VersionId: v.id, SecretBinary: new Uint8Array([1]) } : { ARN: secret.arn, VersionId: v.id, SecretString: v.value };
      }
      case 'PutSecretValueCommand': {
        const id = String(input.ClientRequestToken);
        let v = version(id);
        if (v?.value !== undefined && v.value !== input.SecretString) {
          throw new ResourceExistsException({ message: `A resource with the ID you requested already exists: version ${id} has another value`, $metadata: {} });
        }
        if (!v) {
          v = { id, stages: [], createdAt: Math.max(0, ...secret.versions.map((x) => x.createdAt)) + 1 };
          secret.versions.push(v);
        }
        v.value = String(input.SecretString);
        for (const label of (input.VersionStages as string[] | undefined) ?? [CURRENT]) {
          detach(label);
          v.stages.push(label);
        }
        return { ARN: secret.arn, VersionId: id };
      }
      case 'UpdateSecretVersionStageCommand': {
        const label = String(input.VersionStage);
        const from = input.RemoveFromVersionId;
        const to = input.MoveToVersionId;
        const held = holder(label);
        if (from !== undefined && !version(from)?.stages.includes(label)) {
          throw new InvalidParameterException({ message: `The staging label ${label} is not attached to version ${String(from)}`, $metadata: {} });
        }
        if (to !== undefined && !version(to)) throw notFound(`Secrets Manager can't find version ${String(to)}`);
        if (to !== undefined && held !== undefined && held.id !== to && held.id !== from) {
          throw new InvalidParameterException({ message: `The staging label ${label} is attached to version ${held.id}: specify it in RemoveFromVersionId`, $metadata: {} });
        }
        if (from !== undefined) version(from)!.stages = version(from)!.stages.filter((s) => s !== label);
        if (to !== undefined && !version(to)!.stages.includes(label)) version(to)!.stages.push(label);
        if (label === CURRENT && to !== undefined && from !== undefined && from !== to) {
          detach(PREVIOUS);
          version(from)!.stages.push(PREVIOUS);
        }
        return { ARN: secret.arn };
      }
      case 'TagResourceCommand':
        for (const { Key, Value } of input.Tags as Array<{ Key: string; Value: string }>) secret.tags.set(Key, Value);
        return {};
      default:
        throw new Error(`the in-memory Secrets Manager does not answer ${command}`);
    }
  }

  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const request: SentRequest = { command: command.constructor.name, input: { ...command.input } };
    const index = sent.push(request) - 1;
    const error = options.fail?.(request, index);
    if (error) throw error;
    try {
      return answer(request.command, request.input);
    } finally {
      options.after?.(request, secret);
    }
  };

  return {
    sm: { send } as unknown as SecretsManagerClient,
    secret,
    sent,
    /** The staging labels as DescribeSecret answers them. */
    stages,
    /** The command names sent, in order. */
    names: () => sent.map((s) => s.command),
    /** The inputs of one command, in order. */
    inputsOf: (command: string) => sent.filter((s) => s.command === command).map((s) => s.input),
  };
}
