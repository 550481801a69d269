import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeApiGatewayAccountRole } from '../compliance/acknowledgements';
import { ManagedPolicyRole } from '../identity/managed-policy-role';

const ID = 'IntegrationsApiGatewayAccount';

/**
 * The stack's one `AWS::ApiGateway::Account`: the account-wide, per-region setting that names the
 * role API Gateway writes execution and access logs with. One per stack, whatever the number of
 * platforms, so two platforms never race over it; retained on deletion with its role, since other
 * APIs of the account rely on it.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 */
export function apiGatewayAccount(scope: IConstruct): apigateway.CfnAccount {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(ID);
  if (existing) return existing.node.findChild('Account') as apigateway.CfnAccount;

  const container = new Construct(stack, ID);
  const role = new ManagedPolicyRole(container, 'Role', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'API Gateway account-level role that writes execution and access logs to CloudWatch Logs',
  });
  // The actions of AmazonAPIGatewayPushToCloudWatchLogs, held to this account and region (pseudo
  // parameters even when the stack's environment is known, so the acknowledged finding is stable).
  const logGroups = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:DescribeLogGroups',
        'logs:DescribeLogStreams',
        'logs:PutLogEvents',
        'logs:GetLogEvents',
        'logs:FilterLogEvents',
      ],
      resources: [logGroups, `${logGroups}:log-stream:*`],
    }),
  );
  role.applyRemovalPolicy(RemovalPolicy.RETAIN);
  role.policy.applyRemovalPolicy(RemovalPolicy.RETAIN);
  acknowledgeApiGatewayAccountRole(role.policy);

  const account = new apigateway.CfnAccount(container, 'Account', { cloudWatchRoleArn: role.roleArn });
  account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  // API Gateway checks the role's permissions when the account setting is made.
  account.node.addDependency(role.policy);
  return account;
}
