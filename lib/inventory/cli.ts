// The command line.
// - `cdk-secure-integrations inventory`: reads the inventory table or a JSON inventory, prints the
//   report, and with --check exits 2 when it finds an overdue credential (a partner-held secret past
//   its classification's limit included), a failed rotation, an unmonitored ACTIVE integration, a
//   mutual TLS truststore CA expiring within 60 days, or a
//   record it cannot read.
// - `cdk-secure-integrations redrive`: moves an integration's dead-letter queue's messages back to
//   its queue and records who did (redrive.ts); exits 2 when the queue's state refuses it (empty
//   dead-letter queue, a task already running, nothing to cancel) or the task was cancelled.
// Exit 1 is for usage and IO errors (an unknown integration, one without a dead-letter queue, an
// AWS error), 0 otherwise. `main` takes its output streams and clients as arguments, so tests run
// it in-process.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command, CommanderError, Option } from 'commander';
import { redrive, type RedriveClients, type RedriveOptions, RedriveRefused } from './redrive';
import { analyse } from './report-findings';
import { buildReport, renderJson, renderText } from './report-format';
import { InventorySourceError, type LoadedRecords, recordsFromFile, recordsFromTable } from './report-source';

export const EXIT_OK = 0;
export const EXIT_USAGE_OR_IO = 1;
export const EXIT_CHECK_FAILED = 2;

/** Where the CLI writes, and how it reaches DynamoDB (and, for `redrive`, SQS, STS and time). */
export interface CliIo extends RedriveClients {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Builds the DynamoDB client. @default - the SDK's, from the standard credential chain (AWS_ENDPOINT_URL honoured) */
  readonly dynamoDb?: (region?: string) => DynamoDBClient;
}

interface InventoryOptions {
  readonly table?: string;
  readonly region?: string;
  readonly file?: string;
  readonly format: 'table' | 'json';
  readonly check?: boolean;
  readonly now?: string;
}

class UsageError extends Error {}

function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cdk-secure-integrations') return pkg.version ?? '0.0.0';
    }
    if (dirname(dir) === dir) return '0.0.0';
  }
}

async function inventory(options: InventoryOptions, io: CliIo): Promise<number> {
  if (Boolean(options.table) === Boolean(options.file)) throw new UsageError('give either --table NAME or --file PATH (one of them)');
  if (options.region && !options.table) throw new UsageError('--region applies to --table only');
  const now = options.now === undefined ? new Date() : new Date(options.now);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now ${options.now} is not an ISO 8601 time`);

  let loaded: LoadedRecords;
  let source: string;
  if (options.table) {
    const ddb = io.dynamoDb ? io.dynamoDb(options.region) : new DynamoDBClient(options.region ? { region: options.region } : {});
    source = `table ${options.table}`;
    try {
      loaded = await recordsFromTable(ddb, options.table);
    } catch (error) {
      throw new InventorySourceError(`cannot read table ${options.table}: ${(error as Error).name}: ${(error as Error).message}`);
    } finally {
      if (!io.dynamoDb) ddb.destroy();
    }
  } else {
    source = `file ${options.file}`;
    loaded = await recordsFromFile(options.file!);
  }

  const findings = analyse(loaded.records, now, loaded.unreadable);
  const report = buildReport(source, now, loaded.records, loaded.migrated, findings);
  io.stdout(options.format === 'json' ? renderJson(report) : renderText(report));
  for (const u of findings.unreadable) io.stderr(`warning: cannot read ${u.source}${u.integrationId ? ` (${u.integrationId})` : ''}: ${u.error}\n`);
  return options.check && !report.check.passed ? EXIT_CHECK_FAILED : EXIT_OK;
}

/** Runs the CLI with `args` (without `node` and the script) and returns the exit code. */
export async function main(args: string[], io: CliIo): Promise<number> {
  let code = EXIT_OK;
  const program = new Command('cdk-secure-integrations')
    .description('Tools for platforms built with cdk-secure-integrations.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program
    .command('inventory')
    .description(
      'Report the integration register: integrations by owner and classification, credentials past their rotation period ' +
        '(partner-held secrets: past their classification\'s limit) or whose last rotation failed, integrations without SLO or ' +
        'heartbeat alarms, decommissioned ones.',
    )
    .option('--table <name>', 'read the inventory DynamoDB table (standard AWS credential chain; AWS_ENDPOINT_URL honoured)')
    .option('--region <region>', 'the table\'s region (default: AWS_REGION or the profile\'s)')
    .option('--file <path>', 'read a JSON inventory: integration-inventory.json from cdk.out, or this command\'s --format json output')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--check', 'exit 2 on an overdue credential, a failed rotation, an unmonitored ACTIVE integration, a mutual TLS truststore CA expiring within 60 days or an unreadable record')
    .option('--now <iso>', 'evaluate rotation ages as of this ISO 8601 time (default: now)')
    .action(async (options: InventoryOptions) => {
      code = await inventory(options, io);
    });
  program
    .command('redrive')
    .description(
      'Move an integration\'s dead-letter queue\'s messages back to its queue (an SQS message move task), show the progress, ' +
        'and record in the inventory table who redrove how many messages when. Exit 1: unknown integration, no dead-letter queue, ' +
        'unknown caller, usage or AWS errors; exit 2: the integration was decommissioned, or refused by the queue\'s state (dead-letter ' +
        'queue empty, a move task already running, nothing to cancel) or the task was cancelled.',
    )
    .requiredOption('--integration <name>', 'the integration: its name, or its id <account>:<region>:<stack>:<name> when several share the name')
    .requiredOption('--table <name>', 'the inventory DynamoDB table (standard AWS credential chain; AWS_ENDPOINT_URL honoured)')
    .option('--region <region>', 'the table\'s region (default: AWS_REGION or the profile\'s; the queues\' region comes from their ARNs)')
    .option('--queue <target>', 'which queue, when the integration has several with a dead-letter queue: its sqs:<path> target or its ARN')
    .option('--max-per-second <n>', 'move at most n messages a second, 1 to 500 (default: the rate SQS chooses)')
    .option('--dry-run', 'show how many messages would move, and refuse as the redrive would; start and record nothing')
    .option('--cancel', 'stop the running move task (what moved stays moved) and record who stopped it')
    .option('--history', 'show the recorded redrives of the integration')
    .option('--operator <name>', 'a name to record beside your STS caller identity (a note, not verified; STS is always asked)')
    .action(async (options: RedriveOptions) => {
      code = await redrive(options, io);
    });
  try {
    await program.parseAsync(args, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE_OR_IO;
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n(see cdk-secure-integrations inventory --help)\n`);
      return EXIT_USAGE_OR_IO;
    }
    if (error instanceof RedriveRefused) {
      io.stderr(`error: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof InventorySourceError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_USAGE_OR_IO;
    }
    io.stderr(`error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_USAGE_OR_IO;
  }
}
