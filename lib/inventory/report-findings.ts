// What the inventory report says about a set of records: integrations by owner and
// classification, credentials past their rotation period (a partner-held secret: past its
// classification's limit) or whose last rotation failed, integrations without SLO or heartbeat
// alarms, decommissioned ones, and records that could not be read. Pure: records and a clock in,
// findings out.
import { type InventoryCredential, type InventoryRecord, PARTNER_MANAGED_SCHEDULE } from './inventory-record';

/** Alarm severities that count as monitoring: SLO burn-rate alarms page or ticket, the heartbeat alarm is its own. */
export const MONITORING_SEVERITIES: readonly string[] = ['page', 'ticket', 'heartbeat'];

const DAY_MS = 24 * 60 * 60 * 1000;

/** A record that could not be read, and why. */
export interface UnreadableRecord {
  /** Where it came from: the item key or the position in a file. */
  readonly source: string;
  readonly integrationId?: string;
  readonly error: string;
}

export interface CredentialRef {
  readonly integrationId: string;
  readonly integration: string;
  readonly owner: string;
  readonly credential: string;
  readonly secretArn?: string;
}

export interface OverdueCredential extends CredentialRef {
  /** The longest age allowed, in days: the rotation interval, or a partner-held secret's classification limit. */
  readonly maxRotationIntervalDays: number;
  readonly lastRotated?: string;
  /** When the clock started: the last rotation (or new value put), or the record's creation for a credential never changed. */
  readonly since: string;
  readonly daysSince: number;
  /** A partner-held secret: not rotated, it must be changed with the partner (and its new value put in Secrets Manager). */
  readonly partnerHeld: boolean;
}

/** Whether a credential is partner-held (changed with the partner, never rotated). */
export function isPartnerHeld(credential: InventoryCredential): boolean {
  return credential.rotationSchedule === PARTNER_MANAGED_SCHEDULE;
}

export interface FailedRotation extends CredentialRef {
  readonly lastRotationAttemptAt?: string;
  readonly lastRotated?: string;
}

export interface UnmonitoredIntegration {
  readonly integrationId: string;
  readonly integration: string;
  readonly owner: string;
  /** The alarms it has, none of them an SLO or heartbeat alarm. */
  readonly alarms: string[];
}

export interface DecommissionedIntegration {
  readonly integrationId: string;
  readonly integration: string;
  readonly owner: string;
  readonly decommissionedAt?: string;
}

export interface OwnerGroup {
  readonly owner: string;
  readonly dataClassification: string;
  readonly integrations: Array<{ readonly name: string; readonly integrationId: string; readonly status: string; readonly stack: string }>;
}

/** A CA of a mutual TLS truststore that issues an integration's client certificates and expires soon (or has). */
export interface ExpiringTruststoreCa {
  readonly integrationId: string;
  readonly integration: string;
  readonly owner: string;
  /** The route, `METHOD /path`. */
  readonly route: string;
  readonly issuer: string;
  readonly notAfter: string;
  /** Days left; negative once expired. */
  readonly daysLeft: number;
}

/** A truststore CA expiring within this many days is a finding (the synth-time warning's horizon). */
export const TRUSTSTORE_CA_EXPIRY_DAYS = 60;

export interface InventoryFindings {
  readonly byOwner: OwnerGroup[];
  /** Credentials past their maximum age: rotations overdue, and partner-held secrets past their classification's limit (`partnerHeld`). */
  readonly overdueCredentials: OverdueCredential[];
  readonly failedRotations: FailedRotation[];
  /** ACTIVE credentials whose rotation age is unknown (never rotated and no creation time, as in a synth report). */
  readonly rotationAgeUnknown: CredentialRef[];
  readonly unmonitored: UnmonitoredIntegration[];
  /** CAs that issue the client certificates of mutual TLS routes and expire within {@link TRUSTSTORE_CA_EXPIRY_DAYS} days: clients they issued cannot connect after. */
  readonly expiringTruststoreCas: ExpiringTruststoreCa[];
  readonly decommissioned: DecommissionedIntegration[];
  readonly unreadable: UnreadableRecord[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortedRecords(records: InventoryRecord[]): InventoryRecord[] {
  return [...records].sort(
    (a, b) => byText(a.owner, b.owner) || byText(a.dataClassification, b.dataClassification) || byText(a.name, b.name) || byText(a.integrationId, b.integrationId),
  );
}

/** Whether an integration has at least one SLO or heartbeat alarm. */
export function isMonitored(record: InventoryRecord): boolean {
  return record.alarms.some((a) => MONITORING_SEVERITIES.includes(a.severity.toLowerCase()));
}

/** Analyses records as of `now`. Only ACTIVE integrations have overdue, failed or unmonitored findings. */
export function analyse(records: InventoryRecord[], now: Date, unreadable: UnreadableRecord[] = []): InventoryFindings {
  const sorted = sortedRecords(records);
  const byOwner: OwnerGroup[] = [];
  for (const r of sorted) {
    let group = byOwner.at(-1);
    if (!group || group.owner !== r.owner || group.dataClassification !== r.dataClassification) {
      group = { owner: r.owner, dataClassification: r.dataClassification, integrations: [] };
      byOwner.push(group);
    }
    group.integrations.push({ name: r.name, integrationId: r.integrationId, status: r.status, stack: r.stack });
  }

  const overdueCredentials: OverdueCredential[] = [];
  const failedRotations: FailedRotation[] = [];
  const rotationAgeUnknown: CredentialRef[] = [];
  const unmonitored: UnmonitoredIntegration[] = [];
  const expiringTruststoreCas: ExpiringTruststoreCa[] = [];
  const decommissioned: DecommissionedIntegration[] = [];
  for (const r of sorted) {
    const ids = { integrationId: r.integrationId, integration: r.name, owner: r.owner };
    if (r.status === 'DECOMMISSIONED') {
      decommissioned.push({ ...ids, decommissionedAt: r.decommissionedAt });
      continue;
    }
    if (!isMonitored(r)) unmonitored.push({ ...ids, alarms: r.alarms.map((a) => `${a.name} (${a.severity})`) });
    for (const route of r.inbound) {
      const cas = new Map((route.clientCertificates ?? []).filter((c) => c.issuerNotAfter).map((c) => [c.issuer, c.issuerNotAfter!]));
      for (const [issuer, notAfter] of cas) {
        const daysLeft = Math.floor(((Date.parse(notAfter) - now.getTime()) / DAY_MS) * 10) / 10;
        if (daysLeft < TRUSTSTORE_CA_EXPIRY_DAYS) expiringTruststoreCas.push({ ...ids, route: `${route.method} ${route.path}`, issuer, notAfter, daysLeft });
      }
    }
    for (const c of r.credentials) {
      const ref: CredentialRef = { ...ids, credential: c.name, ...(c.secretArn ? { secretArn: c.secretArn } : {}) };
      if (c.lastRotationStatus === 'FAILED') failedRotations.push({ ...ref, lastRotationAttemptAt: c.lastRotationAttemptAt, lastRotated: c.lastRotated });
      const since = c.lastRotated ?? r.createdAt;
      if (!since || Number.isNaN(Date.parse(since))) {
        rotationAgeUnknown.push(ref);
        continue;
      }
      const days = (now.getTime() - Date.parse(since)) / DAY_MS;
      if (days > c.maxRotationIntervalDays) {
        overdueCredentials.push({
          ...ref,
          maxRotationIntervalDays: c.maxRotationIntervalDays,
          lastRotated: c.lastRotated,
          since,
          daysSince: Math.floor(days * 10) / 10,
          partnerHeld: isPartnerHeld(c),
        });
      }
    }
  }
  return { byOwner, overdueCredentials, failedRotations, rotationAgeUnknown, unmonitored, expiringTruststoreCas, decommissioned, unreadable };
}

/**
 * What `--check` fails on: an overdue credential (partner-held ones too), a failed rotation, an
 * unmonitored ACTIVE integration, a truststore CA expiring within 60 days, an unreadable record.
 */
export function checkProblems(findings: InventoryFindings): number {
  return findings.overdueCredentials.length + findings.failedRotations.length + findings.unmonitored.length + (findings.expiringTruststoreCas?.length ?? 0) + findings.unreadable.length;
}
