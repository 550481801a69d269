import {
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

// The secret's versions as the rotation reads them, and the staging-label moves it makes.

export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';
// Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
export const PREVIOUS = 'AWSPREVIOUS';

/** Version id -> staging labels (DescribeSecret's `VersionIdsToStages`). */
export type Stages = Record<string, string[]>;

/** One version of a secret. */
export interface SecretVersion {
  readonly id: string;
  readonly stages: readonly string[];
  /** When the version was created, ms since the epoch. */
  readonly createdAt: number;
}

/** The version that holds a label, if any (Secrets Manager attaches a label to one version at most). */
export function versionWith(stages: Stages, label: string): string | undefined {
  return Object.keys(stages).find((id) => stages[id].includes(label));
}

/** Every version of the secret, deprecated ones included, oldest first. */
export async function listVersions(sm: SecretsManagerClient, arn: string): Promise<SecretVersion[]> {
  const versions: SecretVersion[] = [];
  let next: string | undefined;
  do {
    const page = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true, NextToken: next }));
    // Stryker disable next-line ArrayDeclaration: equivalent, see reports/mutation/EQUIVALENT.md
    for (const v of page.Versions ?? []) {
      if (v.VersionId) versions.push({ id: v.VersionId, stages: v.VersionStages ?? [], createdAt: v.CreatedDate?.getTime() ?? 0 });
    }
    next = page.NextToken || undefined;
  } while (next);
  return versions.sort((a, b) => a.createdAt - b.createdAt);
}

/** The secret's value in a version, or undefined when the version (or its value) does not exist. */
export async function versionValue(sm: SecretsManagerClient, arn: string, select: { readonly VersionId?: string; readonly VersionStage?: string }): Promise<string | undefined> {
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: arn, ...select }));
    if (out.SecretString === undefined) throw new Error(`secret ${arn} holds a binary value: rotation supports SecretString only`);
    return out.SecretString;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Moves a label of the rotation's own to a version, removing it from the version that holds it
 * (AWS requires `RemoveFromVersionId` when the label is attached elsewhere).
 */
export async function moveLabel(sm: SecretsManagerClient, arn: string, label: string, toVersionId: string, stages: Stages): Promise<void> {
  const holders = Object.keys(stages).filter((id) => stages[id].includes(label));
  if (holders.length === 1 && holders[0] === toVersionId) return;
  const from = holders.find((id) => id !== toVersionId);
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: label, MoveToVersionId: toVersionId, ...(from ? { RemoveFromVersionId: from } : {}) }));
  // Secrets Manager keeps a label on one version; remove any further holder a looser backend left.
  for (const extra of holders.filter((id) => id !== toVersionId && id !== from)) {
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: label, RemoveFromVersionId: extra }));
  }
}
