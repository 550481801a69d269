// AWS quotas computed from a synthesized template, with realistic deploy-time values, not from the
// library's own counters: what CloudFormation, IAM and WAF would refuse at deploy.

/** A long stack name, as users' pipelines make them: deploy-time ARNs are as long as they get. */
export const LONG_STACK_NAME = 'integration-platform-production-eu-central-1-payments-and-partners';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>; Outputs?: Record<string, unknown>; Parameters?: Record<string, unknown> };

/**
 * The characters of a policy document as IAM counts them once deployed (white space not counted):
 * every Ref and Fn::GetAtt becomes a realistic ARN of this account, region and a long stack name,
 * every Fn::Join is joined.
 */
export function deployedCharacters(document: unknown, stackName = LONG_STACK_NAME): number {
  const arn = (id: string) => `arn:aws:service:eu-central-1:123456789012:resource/${stackName}-${id}-1A2B3C4D5E6F`;
  const pseudo: Record<string, string> = { 'AWS::Region': 'eu-central-1', 'AWS::AccountId': '123456789012', 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': stackName };
  const render = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(render);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('Ref' in o) return pseudo[String(o.Ref)] ?? arn(String(o.Ref));
      if ('Fn::GetAtt' in o) return arn((o['Fn::GetAtt'] as string[]).join('.'));
      if ('Fn::Join' in o) {
        const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
        return (parts.map(render) as string[]).join(sep);
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, render(x)]));
    }
    return v;
  };
  return JSON.stringify(render(document)).replace(/\s/g, '').length;
}

/** Every deploy-time quota of the list the template passes, one sentence each; empty when it passes none. */
export function quotaViolations(template: Template, templateBytes: number): string[] {
  const problems: string[] = [];
  const resources = Object.entries(template.Resources);
  if (resources.length > 500) problems.push(`${resources.length} resources (CloudFormation: 500)`);
  if (templateBytes > 1_000_000) problems.push(`${templateBytes} template bytes (CloudFormation: 1,000,000 from S3)`);
  // A nested stack takes its parent's values as parameters and gives them back as outputs.
  const outputs = Object.keys(template.Outputs ?? {}).length;
  if (outputs > 200) problems.push(`${outputs} outputs (CloudFormation: 200)`);
  const parameters = Object.keys(template.Parameters ?? {}).length;
  if (parameters > 200) problems.push(`${parameters} parameters (CloudFormation: 200)`);
  const attached = new Map<string, number>();
  for (const [id, r] of resources) {
    if (r.Type === 'AWS::CloudWatch::Dashboard') {
      // Each widget of the body has a "type"; CloudWatch allows 500 widgets a dashboard.
      const widgets = (JSON.stringify(r.Properties?.DashboardBody).match(/\\"type\\":/g) ?? []).length;
      if (widgets > 500) problems.push(`dashboard ${id}: ${widgets} widgets (CloudWatch: 500)`);
    }
    if (r.Type === 'AWS::IAM::ManagedPolicy') {
      const characters = deployedCharacters(r.Properties?.PolicyDocument);
      if (characters > 6_144) problems.push(`managed policy ${id}: ${characters} characters (IAM: 6,144)`);
    }
    if (r.Type === 'AWS::SQS::QueuePolicy') {
      // SQS: 8,192 bytes a queue policy (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html).
      const characters = deployedCharacters(r.Properties?.PolicyDocument);
      if (characters > 8_192) problems.push(`queue policy ${id}: ${characters} characters (SQS: 8,192)`);
    }
    if (r.Type === 'AWS::IAM::Role') attached.set(id, ((r.Properties?.ManagedPolicyArns as unknown[]) ?? []).length);
    if (r.Type === 'AWS::WAFv2::WebACL') {
      const rules = (r.Properties?.Rules as Array<{ Statement: Record<string, unknown> }>) ?? [];
      const rateBased = rules.filter((rule) => rule.Statement.RateBasedStatement).length;
      if (rateBased > 10) problems.push(`WebACL ${id}: ${rateBased} rate-based rules (WAF: 10)`);
      const references = JSON.stringify(rules).split(/IPSetReferenceStatement|RegexPatternSetReferenceStatement|RuleGroupReferenceStatement/).length - 1;
      if (references > 50) problems.push(`WebACL ${id}: ${references} reference statements (WAF: 50)`);
    }
    if (r.Type === 'AWS::Lambda::Function') {
      const variables = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const bytes = Object.entries(variables).reduce((sum, [k, v]) => sum + k.length + (typeof v === 'string' ? v.length : 140), 0);
      if (bytes > 4_096) problems.push(`function ${id}: about ${bytes} bytes of environment (Lambda: 4 KB)`);
    }
  }
  for (const [id, n] of attached) if (n > 10) problems.push(`role ${id}: ${n} managed policies (IAM: 10 by default)`);
  return problems;
}
