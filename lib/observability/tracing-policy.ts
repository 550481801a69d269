import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeXRayWritePolicy } from '../compliance/acknowledgements';

const ID = 'IntegrationsXRayWritePolicy';

/**
 * The stack's one customer-managed policy that lets functions send X-Ray trace segments.
 * X-Ray's write actions support no resource-level permissions, so the statement needs `Resource: *`;
 * keeping it in a policy of its own keeps that one acknowledged finding away from every other grant.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html
 */
export function xrayWritePolicy(scope: Construct): iam.ManagedPolicy {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(ID);
  if (existing) return existing as iam.ManagedPolicy;
  const policy = new iam.ManagedPolicy(stack, ID, {
    description: 'Lets integration functions send X-Ray trace segments and telemetry',
    statements: [
      new iam.PolicyStatement({
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    ],
  });
  acknowledgeXRayWritePolicy(policy);
  return policy;
}
