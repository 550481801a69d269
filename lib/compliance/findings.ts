import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { compliancePacks } from './nag-packs';

/** One cdk-nag finding on one resource that no acknowledgement covers. */
export interface ComplianceFinding {
  /** The pack, for example `AwsSolutions`. */
  readonly pack: string;
  /** The rule, with its finding where the rule reports several, for example `AwsSolutions-IAM5[Resource::*]`. */
  readonly rule: string;
  /** The construct path of the resource. */
  readonly path: string;
  /** What the rule found. */
  readonly description: string;
}

/** An acknowledgement recorded with `Validations.of(construct).acknowledge()`. */
export interface RecordedAcknowledgement {
  /** The acknowledged id as recorded (`<Pack>::<Rule>`). */
  readonly id: string;
  /** The reason given. */
  readonly reason: string;
  /** The construct path it was recorded on. */
  readonly path: string;
}

/** Every acknowledgement recorded below `scope`, as CDK's validation report reads them. */
export function recordedAcknowledgements(scope: IConstruct): RecordedAcknowledgement[] {
  const out: RecordedAcknowledgement[] = [];
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ id, reason, path: construct.node.path });
      }
    }
  }
  return out;
}

/**
 * Runs the five packs over `scope` and returns the findings that no `<Pack>::<Rule>`
 * acknowledgement on the resource or one of its ancestors covers: what `cdk synth` would fail on.
 * Use it in unit tests, where synth-time validation plugins do not run.
 */
export function unacknowledgedFindings(scope: IConstruct): ComplianceFinding[] {
  const acknowledged = new Map<string, string[]>();
  for (const ack of recordedAcknowledgements(scope)) {
    acknowledged.set(ack.id, [...(acknowledged.get(ack.id) ?? []), ack.path]);
  }
  const covers = (id: string, path: string) =>
    (acknowledged.get(id) ?? []).some((ackPath) => path === ackPath || path.startsWith(`${ackPath}/`));

  const findings: ComplianceFinding[] = [];
  for (const pack of compliancePacks()) {
    const report = pack.validateScope(scope);
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        const path = resource.constructPath ?? '';
        if (covers(`${pack.name}::${violation.ruleName}`, path)) continue;
        findings.push({ pack: pack.name, rule: violation.ruleName, path, description: violation.description });
      }
    }
  }
  return findings;
}
