// The inventory report as a document (JSON output, which the CLI can read back with --file) and
// as text tables for a terminal or a CI log.
import Table from 'cli-table3';
import { INVENTORY_SCHEMA_VERSION, type InventoryRecord } from './inventory-record';
import { checkProblems, type InventoryFindings, type OverdueCredential } from './report-findings';

/** The report: what was read, what was found, and whether `--check` passes. */
export interface InventoryReport {
  readonly schemaVersion: typeof INVENTORY_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly source: string;
  readonly summary: {
    readonly integrations: number;
    readonly active: number;
    readonly decommissioned: number;
    readonly migrated: number;
    readonly overdueCredentials: number;
    readonly failedRotations: number;
    readonly unmonitored: number;
    readonly expiringTruststoreCas: number;
    readonly unreadable: number;
  };
  readonly check: { readonly passed: boolean; readonly problems: number };
  readonly findings: InventoryFindings;
  /** The records read (migrated to the current schema), so the output reads back as an inventory. */
  readonly records: InventoryRecord[];
}

export function buildReport(source: string, now: Date, records: InventoryRecord[], migrated: number, findings: InventoryFindings): InventoryReport {
  const problems = checkProblems(findings);
  return {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    source,
    summary: {
      integrations: records.length,
      active: records.filter((r) => r.status === 'ACTIVE').length,
      decommissioned: findings.decommissioned.length,
      migrated,
      overdueCredentials: findings.overdueCredentials.length,
      failedRotations: findings.failedRotations.length,
      unmonitored: findings.unmonitored.length,
      expiringTruststoreCas: findings.expiringTruststoreCas.length,
      unreadable: findings.unreadable.length,
    },
    check: { passed: problems === 0, problems },
    findings,
    records,
  };
}

export function renderJson(report: InventoryReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function table(head: string[], rows: string[][]): string {
  // No colours: the output lands in CI logs and files as often as in a terminal.
  const t = new Table({ head, style: { head: [], border: [] }, wordWrap: true });
  for (const row of rows) t.push(row);
  return t.toString();
}

function section(title: string, head: string[], rows: string[][], empty = 'none'): string {
  return `${title}\n${rows.length === 0 ? `  ${empty}` : table(head, rows)}\n`;
}

const day = (iso?: string) => (iso ? iso.slice(0, 10) : '-');

export function renderText(report: InventoryReport): string {
  const f = report.findings;
  const byId = new Map(report.records.map((r) => [r.integrationId, r]));
  const out: string[] = [`Integration inventory: ${report.source} (as of ${report.generatedAt})\n`];
  out.push(
    section(
      'Integrations by owner and classification',
      ['Owner', 'Classification', 'Integration', 'Status', 'Stack', 'Credentials', 'Alarms'],
      f.byOwner.flatMap((g) =>
        g.integrations.map((i) => {
          const r = byId.get(i.integrationId);
          return [g.owner, g.dataClassification, i.name, i.status, i.stack, String(r?.credentials.length ?? 0), String(r?.alarms.length ?? 0)];
        }),
      ),
    ),
  );
  const lastChange = (c: OverdueCredential) => (c.lastRotated ? day(c.lastRotated) : `never (created ${day(c.since)})`);
  out.push(
    section(
      'Credentials past their rotation period',
      ['Integration', 'Owner', 'Credential', 'Max interval (days)', 'Last rotated', 'Days since'],
      f.overdueCredentials.filter((c) => !c.partnerHeld).map((c) => [c.integration, c.owner, c.credential, String(c.maxRotationIntervalDays), lastChange(c), String(c.daysSince)]),
    ),
  );
  // Not rotated, so not "overdue for rotation": the owner agrees a new secret with the partner and puts it in Secrets Manager.
  const partnerHeld = f.overdueCredentials.filter((c) => c.partnerHeld);
  if (partnerHeld.length > 0) {
    out.push(
      section(
        'Partner-held secrets past their classification\'s limit: change each with the partner, then put the new value in Secrets Manager (PutSecretValue)',
        ['Integration', 'Owner', 'Credential', 'Limit (days)', 'Last changed', 'Days since'],
        partnerHeld.map((c) => [c.integration, c.owner, c.credential, String(c.maxRotationIntervalDays), lastChange(c), String(c.daysSince)]),
      ),
    );
  }
  out.push(
    section(
      'Credentials whose last rotation failed',
      ['Integration', 'Owner', 'Credential', 'Failed at', 'Last rotated'],
      f.failedRotations.map((c) => [c.integration, c.owner, c.credential, day(c.lastRotationAttemptAt), day(c.lastRotated)]),
    ),
  );
  out.push(
    section(
      'Integrations without SLO or heartbeat alarms',
      ['Integration', 'Owner', 'Alarms'],
      f.unmonitored.map((u) => [u.integration, u.owner, u.alarms.length ? u.alarms.join('\n') : '-']),
    ),
  );
  if (f.expiringTruststoreCas.length > 0) {
    out.push(
      section(
        'Mutual TLS truststore CAs expiring within 60 days: add each CA\'s successor to the truststore and deploy, or its clients cannot connect',
        ['Integration', 'Owner', 'Route', 'Issuing CA', 'Expires', 'Days left'],
        f.expiringTruststoreCas.map((c) => [c.integration, c.owner, c.route, c.issuer, day(c.notAfter), String(c.daysLeft)]),
      ),
    );
  }
  out.push(section('Decommissioned integrations', ['Integration', 'Owner', 'Decommissioned'], f.decommissioned.map((d) => [d.integration, d.owner, day(d.decommissionedAt)])));
  if (f.unreadable.length > 0) {
    out.push(section('Records that cannot be read (fix or migrate them)', ['Source', 'Integration', 'Error'], f.unreadable.map((u) => [u.source, u.integrationId ?? '-', u.error])));
  }
  if (f.rotationAgeUnknown.length > 0) {
    out.push(`Rotation age unknown (never rotated, no creation time): ${f.rotationAgeUnknown.length} credential(s)\n`);
  }
  const s = report.summary;
  out.push(
    `${s.integrations} integration(s): ${s.active} active, ${s.decommissioned} decommissioned` +
      `${s.migrated ? `, ${s.migrated} migrated from an older schema` : ''}. ` +
      (report.check.passed ? 'Check passed.' : `Check found ${report.check.problems} problem(s).`) +
      '\n',
  );
  return out.join('\n');
}
