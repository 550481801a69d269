// What a rotation strategy implements: the credential-specific part of the four steps. The
// protocol around it (guard, version stages, replays) is in rotate.ts and is the same for all.

/** The log calls the rotation makes (Powertools Logger in the function). Never pass a secret value. */
export interface RotationLog {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

/** What every strategy call gets. */
export interface StrategyContext {
  /** The secret's ARN. */
  readonly secretArn: string;
  /** The rotation's ClientRequestToken (the pending version's id). */
  readonly token: string;
  readonly log: RotationLog;
}

/**
 * A credential's lifecycle, as the four steps drive it. Each method may run more than once for
 * the same token (Lambda retries, resumed rotations) and must be idempotent.
 */
export interface RotationStrategy {
  /** createSecret: issue the new credential (the current one keeps working) and return the value to store as AWSPENDING. Never revokes. */
  create(ctx: StrategyContext & { readonly currentValue: string }): Promise<string>;
  /** setSecret: make the pending credential effective at the service, if issuing it did not already. */
  set?(ctx: StrategyContext & { readonly pendingValue: string; readonly currentValue?: string }): Promise<void>;
  /** testSecret: prove the pending credential works; throw if it does not. */
  test(ctx: StrategyContext & { readonly pendingValue: string; readonly currentValue?: string }): Promise<void>;
  /** finishSecret, after AWSCURRENT moved: revoke the previous credential. Must tolerate an already revoked one. */
  revoke?(ctx: StrategyContext & { readonly previousValue: string; readonly currentValue: string }): Promise<void>;
}

/** The pending credential failed its test: AWSCURRENT stays where it is. */
export class CredentialTestError extends Error {
  override readonly name = 'CredentialTestError';
}
