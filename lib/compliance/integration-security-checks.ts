import type { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { INTEGRATION_RULES } from './rules';
import { beginRun, endRun } from './rules/resources';

/**
 * The four-layer integration framework as a cdk-nag 3 rule pack (a `Validations` plugin): identity,
 * secrets and data, network and gateway, observability, inventory. Each rule checks synthesized
 * CloudFormation resources, not this library's constructs, so it judges any CDK app; findings are
 * named `IntegrationSecurity-<id>` (`IntegrationSecurity-NG1`) and acknowledged like cdk-nag's own.
 *
 * @example
 * Validations.of(app).addPlugins(new IntegrationSecurityChecks());
 */
export class IntegrationSecurityChecks extends NagPack {
  public readonly name = 'IntegrationSecurity';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'IntegrationSecurity';
  }

  // cdk-nag's validate(context) runs validateScope(appConstruct): one run per validation either way.
  public override validateScope(scope: IConstruct): PolicyValidationPluginReport {
    beginRun();
    try {
      return super.validateScope(scope);
    } finally {
      endRun();
    }
  }

  protected checkResource(node: CfnResource): void {
    // Each rule reads only the resource types it judges (and asks for others through the index).
    for (const rule of INTEGRATION_RULES) {
      this.applyRule({ ruleSuffixOverride: rule.id, info: `[${rule.layer}] ${rule.name}: ${rule.info}`, explanation: rule.explanation, level: NagMessageLevel.ERROR, rule: rule.check, node });
    }
  }
}
