import { ArnFormat, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/**
 * The AWS managed rule groups every platform WebACL starts with, in priority order.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
 */
export const DEFAULT_MANAGED_RULE_GROUPS: readonly string[] = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
];

/** Properties of an {@link IntegrationWebAcl}. */
export interface IntegrationWebAclProps {
  /** The stage the WebACL protects. */
  readonly stage: apigateway.Stage;
  /** The key that encrypts the WAF log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of the WAF log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A REGIONAL WAFv2 WebACL in front of the platform's stage: AWS managed rule groups, logging to a
 * KMS-encrypted `aws-waf-logs-*` log group, and an association that depends on the stage explicitly
 * (the stage ARN is built from the API id and the stage name, which carries no dependency).
 */
export class IntegrationWebAcl extends Construct {
  /** The WebACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The WAF log group (its name starts with `aws-waf-logs-`, as WAF requires). */
  public readonly logGroup: logs.LogGroup;
  /** The association of the WebACL with the stage. */
  public readonly association: wafv2.CfnWebACLAssociation;

  constructor(scope: Construct, id: string, props: IntegrationWebAclProps) {
    super(scope, id);
    const metricPrefix = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });

    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: `cdk-secure-integrations WebACL of stack ${Stack.of(this).stackName}`,
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: metricPrefix },
      rules: DEFAULT_MANAGED_RULE_GROUPS.map((name, priority) => ({
        name,
        priority,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
        visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${metricPrefix}-${name}`.slice(0, 128) },
      })),
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}`,
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // WAF wants the log group ARN without the ':*' suffix that the log group's Arn attribute carries.
    const logGroupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: this.logGroup.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [logGroupArn],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(this.logGroup);

    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    this.association.node.addDependency(props.stage);
  }
}
