import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NagPackProps, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { IntegrationSecurityChecks } from './integration-security-checks';

/** Options of {@link addComplianceChecks}. */
export interface ComplianceChecksOptions {
  /**
   * Print each rule's explanation beside its finding.
   * @default false
   */
  readonly verbose?: boolean;
}

/**
 * The rule packs every platform must pass: cdk-nag's AwsSolutions, NIST 800-53 R5, HIPAA Security,
 * PCI DSS 3.2.1 and Serverless, and this library's {@link IntegrationSecurityChecks}.
 * @see https://github.com/cdklabs/cdk-nag/blob/main/RULES.md
 */
export function compliancePacks(scope?: IConstruct, props?: NagPackProps): NagPack[] {
  return [
    new AwsSolutionsChecks(scope, props),
    new NIST80053R5Checks(scope, props),
    new HIPAASecurityChecks(scope, props),
    new PCIDSS321Checks(scope, props),
    new ServerlessChecks(scope, props),
    new IntegrationSecurityChecks(scope, props),
  ];
}

/**
 * Registers the six packs of {@link compliancePacks} as validation plugins on an app
 * (or stage): any unacknowledged finding fails `cdk synth`, and the validation report in the
 * cloud assembly records every acknowledgement with its reason.
 *
 * @example
 * const app = new App();
 * addComplianceChecks(app);
 */
export function addComplianceChecks(app: IConstruct, options: ComplianceChecksOptions = {}): void {
  Validations.of(app).addPlugins(...compliancePacks(app, { verbose: options.verbose }));
}

/**
 * The compliance checks as static methods, for languages other than TypeScript (jsii compiles no
 * free functions): `ComplianceChecks.addTo(app)` is {@link addComplianceChecks}.
 */
export class ComplianceChecks {
  /**
   * Registers the six packs as validation plugins on an app or stage: any unacknowledged finding
   * fails `cdk synth`. Same as {@link addComplianceChecks}.
   */
  public static addTo(app: IConstruct, options: ComplianceChecksOptions = {}): void {
    addComplianceChecks(app, options);
  }

  /** The six packs, for `Validations.of(scope).addPlugins(...)` or a test's `validateScope`. Same as {@link compliancePacks}. */
  public static packs(scope?: IConstruct, props?: NagPackProps): NagPack[] {
    return compliancePacks(scope, props);
  }

  private constructor() {}
}
