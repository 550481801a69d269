import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aspects, IAspect, Stage } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { INVENTORY_SCHEMA_VERSION, InventoryRecord } from './inventory-record';
import { buildInventoryRecord, InventorySource } from './record-builder';

/** The report's file names in the cloud assembly. */
export const INVENTORY_REPORT_JSON = 'integration-inventory.json';
export const INVENTORY_REPORT_MARKDOWN = 'integration-inventory.md';

const ID = 'IntegrationInventoryReport';

/**
 * The synth-time inventory report of an app (or stage): every integration of every platform in it.
 * @jsii ignore TypeScript only: the report's JSON shape (see lib/inventory/inventory-record.ts).
 */
export interface InventoryReportDocument {
  readonly schemaVersion: typeof INVENTORY_SCHEMA_VERSION;
  readonly records: InventoryRecord[];
}

/**
 * Collects the integrations of an app and writes, when the app synthesizes,
 * `integration-inventory.json` (the inventory record schema) and `integration-inventory.md` (a
 * table for pull-request review) into the cloud assembly, beside the templates.
 */
export class InventoryReport extends Construct {
  /** The report of the stage (app) that holds `scope`, created on first use. */
  public static of(scope: IConstruct): InventoryReport {
    const stage = Stage.of(scope) ?? scope.node.root;
    return (stage.node.tryFindChild(ID) as InventoryReport | undefined) ?? new InventoryReport(stage, ID);
  }

  private readonly sources: Array<() => InventorySource> = [];
  private written = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const writer: IAspect = { visit: (node) => node === this && this.write() };
    Aspects.of(this).add(writer);
  }

  /**
   * Adds an integration to the report; `source` is read when the app synthesizes, so it sees the finished integration.
   * @jsii ignore TypeScript only: SecureIntegration adds itself.
   */
  public add(source: () => InventorySource): void {
    this.sources.push(source);
  }

  /**
   * The report as written (records sorted by stack and name).
   * @jsii ignore TypeScript only: read the JSON file the report writes.
   */
  public document(): InventoryReportDocument {
    const records = this.sources
      .map((s) => buildInventoryRecord(s(), { deployTime: false }))
      .sort((a, b) => `${a.stack}/${a.name}`.localeCompare(`${b.stack}/${b.name}`));
    return { schemaVersion: INVENTORY_SCHEMA_VERSION, records };
  }

  private write(): void {
    if (this.written) return;
    this.written = true;
    const outdir = (Stage.of(this) ?? (this.node.root as Stage)).outdir;
    mkdirSync(outdir, { recursive: true });
    const document = this.document();
    writeFileSync(join(outdir, INVENTORY_REPORT_JSON), `${JSON.stringify(document, undefined, 2)}\n`);
    writeFileSync(join(outdir, INVENTORY_REPORT_MARKDOWN), renderMarkdown(document.records));
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown table a reviewer reads in a pull request. */
export function renderMarkdown(records: InventoryRecord[]): string {
  const lines = [
    '# Integration inventory',
    '',
    `${records.length} integration(s). Written by cdk-secure-integrations at synth; the deployed register is the DynamoDB table.`,
    '',
    '| integration | stack | owner | classification | inbound | credentials (rotation) | PII fields | monitoring |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of records) {
    const inbound = [...r.inbound.map((route) => `${route.method} ${route.path} (${route.auth})`), ...(r.outbound ? [`out: ${r.outbound.host} (${r.outbound.auth})`] : [])].join('<br>') || '—';
    const credentials = r.credentials.map((c) => `${c.name} (${c.rotationSchedule})`).join('<br>') || '—';
    const pii = r.piiFields.length ? r.piiFields.join(', ') : 'none declared';
    const monitoring = [r.slo ? `SLO ${r.slo.availabilityPercent}%` : '', r.heartbeat ? `heartbeat ${r.heartbeat.everySeconds / 60} min` : '', `${r.alarms.length} alarm(s)`]
      .filter(Boolean)
      .join(', ');
    lines.push(`| ${cell(r.name)} | ${cell(r.stack)} | ${cell(r.owner)} | ${r.dataClassification} | ${cell(inbound)} | ${cell(credentials)} | ${cell(pii)} | ${cell(monitoring)} |`);
  }
  return `${lines.join('\n')}\n`;
}
