// The detection-time table of BENCHMARKS.md's `slo-detection` section, from simulated runs.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { Detection } from './metric-math-scenarios';

export const SECTION_START = '<!-- slo-detection:start -->';
export const SECTION_END = '<!-- slo-detection:end -->';

const minutes = (m: number | undefined) => (m === undefined ? '-' : String(m));

/** One markdown row per run. */
export function detectionRows(runs: readonly Detection[]): string[] {
  return runs.map((d) => {
    const ticket = d.ticketNotified !== undefined ? minutes(d.ticketNotified) : d.ticketAlarm !== undefined ? 'suppressed (page open)' : '-';
    const page = d.page ? `${d.page.minute} (${d.page.tier})` : '-';
    return `| ${Number((d.errorRatio * 100).toPrecision(3))}% | ${Number(d.burnRate.toPrecision(3))}x | ${minutes(d.fastPageAlarm)} | ${minutes(d.slowPageAlarm)} | ${minutes(d.ticketAlarm)} | ${page} | ${ticket} |`;
  });
}

export const TABLE_HEADER = [
  '| error ratio | burn rate | FastPage in ALARM | SlowPage in ALARM | Ticket in ALARM | first page sent | ticket sent |',
  '|---|---|---|---|---|---|---|',
];

/** The whole section, markers included. */
export function detectionSection(runs: readonly Detection[], elapsedMs: number): string {
  const cpu = cpus();
  const machine = `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}`;
  return [
    SECTION_START,
    '',
    '## SLO alarms: detection times',
    '',
    `Simulated by \`test/observability/slo-detection-times.test.ts\` on ${new Date().toISOString().slice(0, 10)}, on ${machine} (${runs.length} runs in ${Math.round(elapsedMs)} ms).`,
    'The minutes are simulated, not measured: the alarms are read from the synthesized template and evaluated minute by minute',
    'over synthetic traffic by `test/support/metric-math-alarms.ts` (sliding window, M out of N, missing data, composite rules,',
    'ActionsSuppressor wait and extension periods). They are deterministic and do not depend on the machine.',
    '',
    'Availability SLO 99.5% over 28 days (budget 0.5%), 1,000 requests a minute, 25 hours of healthy traffic (the longest alarm window',
    'and an hour), then the error ratio steps up and stays for 36 hours.',
    'Minutes count from the onset: 1 is the evaluation at the end of the first bad minute.',
    '"in ALARM" is the composite\'s state; "sent" is the first notification to the page or ticket topic after suppression.',
    '',
    ...TABLE_HEADER,
    ...detectionRows(runs),
    '',
    'Add CloudWatch\'s own delays in production: EMF metrics land about a minute after the request, and alarm evaluation may lag',
    'by a minute or two. The Ticket\'s long window is 1 day, not the Workbook\'s 3 days: a CloudWatch alarm period stops at a day,',
    'and N periods are compared one by one, not summed. At 1x over a day the ticket comes sooner (at 3.6% of the budget instead',
    'of 10.7%) and can cross 1x up to 2 hours before the 6-hour page window crosses 6x (145 vs 217 minutes at 5%), so the',
    'ticket waits 2 hours for a page before it is sent: tickets arrive 120 minutes after the Ticket alarm.',
    'Latency: a p95 above the objective from the onset alarms after 11 minutes (3 of the last 5 periods of 5 minutes).',
    'Steady 0.1% errors (0.2x) and zero traffic never alert.',
    '',
    SECTION_END,
  ].join('\n');
}

/** Replaces the section between the markers, or appends it at the end; other sections stay as they are. */
export function writeSection(file: string, section: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(SECTION_START);
  const end = text.indexOf(SECTION_END);
  const next = start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + SECTION_END.length) : `${text.replace(/\n*$/, '\n\n')}${section}\n`;
  writeFileSync(file, next);
}

/** The table rows recorded in the file's section, if it has one. */
export function recordedRows(file: string): string[] | undefined {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(SECTION_START);
  if (start < 0) return undefined;
  return text
    .slice(start, text.indexOf(SECTION_END))
    .split('\n')
    .filter((l) => /^\| [\d.]+% \|/.test(l));
}

/** Replaces the section `<!-- name:start -->` ... `<!-- name:end -->` (markers added), or appends it. */
export function writeNamedSection(file: string, name: string, body: string): void {
  const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const section = `${start}\n\n${body}\n\n${end}`;
  const text = readFileSync(file, 'utf8');
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  writeFileSync(file, i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + end.length) : `${text.replace(/\n*$/, '\n\n')}${section}\n`);
}

/** The table rows (lines starting with `| ` but not the header or rule) of a named section, if the file has it. */
export function recordedSectionRows(file: string, name: string): string[] | undefined {
  const text = readFileSync(file, 'utf8');
  const i = text.indexOf(`<!-- ${name}:start -->`);
  if (i < 0) return undefined;
  const lines = text.slice(i, text.indexOf(`<!-- ${name}:end -->`)).split('\n').filter((l) => l.startsWith('| '));
  return lines.slice(1).filter((l) => !/^\|---/.test(l));
}
