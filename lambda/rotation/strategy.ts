// What a rotation strategy implements: the credential-specific part of the four steps. The
// protocol around it (guard, version stages, the tested label, replays, deferred revocation) is
// in rotate.ts and revocation.ts and is the same for all.
import type { SecretVersion } from './versions';

/** The log calls the rotation makes (Powertools Logger in the function). Never pass a secret value. */
export interface RotationLog {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

/** A version with its value, where it has one. */
export interface VersionWithValue extends SecretVersion {
  readonly value?: string;
}

/** The secret's versions around AWSCURRENT, for strategies that must tell their own credentials apart. */
export interface CredentialHistory {
  /** Every version (oldest first) with its value. */
  readonly versions: readonly VersionWithValue[];
  /** The AWSCURRENT version. */
  readonly current?: VersionWithValue;
  /** When the credentials AWSCURRENT superseded may be revoked (the end of the overlap); undefined when when AWSCURRENT moved is not recorded. */
  readonly overlapEndsAt?: Date;
}

/** What every strategy call gets. */
export interface StrategyContext {
  /** The secret's ARN. */
  readonly secretArn: string;
  /** The rotation's ClientRequestToken (the pending version's id), or the id of the version being revoked. */
  readonly token: string;
  readonly log: RotationLog;
  /** The clock of this invocation. */
  readonly now: Date;
  /** The secret's versions and values, read on first use. */
  readonly history: () => Promise<CredentialHistory>;
}

/**
 * A credential's lifecycle, as the four steps drive it. Each method may run more than once for
 * the same token (Lambda retries, resumed rotations) and must be idempotent.
 */
export interface RotationStrategy {
  /** createSecret: issue the new credential (the current one keeps working) and return the value to store as AWSPENDING. Never revokes a credential AWSCURRENT names or one still in its overlap. */
  create(ctx: StrategyContext & { readonly currentValue: string }): Promise<string>;
  /** setSecret: make the pending credential effective at the service, if issuing it did not already. */
  set?(ctx: StrategyContext & { readonly pendingValue: string; readonly currentValue?: string }): Promise<void>;
  /** testSecret: prove the pending credential works; throw if it does not. */
  test(ctx: StrategyContext & { readonly pendingValue: string; readonly currentValue?: string }): Promise<void>;
  /** After AWSCURRENT moved and the overlap ended: revoke a superseded credential. Must tolerate an already revoked one. */
  revoke?(ctx: StrategyContext & { readonly previousValue: string; readonly currentValue: string }): Promise<void>;
}

/** The pending credential failed its test: AWSCURRENT stays where it is. */
export class CredentialTestError extends Error {
  override readonly name = 'CredentialTestError';
}

/** The secret's value, or what the service says, disagrees with the credential's binding: nothing is changed. */
export class BindingMismatchError extends Error {
  override readonly name = 'BindingMismatchError';
}
