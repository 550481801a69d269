// The truststore check: after the domain took the truststore, any warning of API Gateway fails the
// deploy (CloudFormation rolls it back) instead of leaving partners failing the handshake.
import { GetDomainNameCommand } from '@aws-sdk/client-api-gateway';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { checkTruststore } from '../../../lambda/truststore/check';

const log = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };

function event(requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown> = { DomainName: 'dealers.example.com', TruststoreVersion: 'v2' }): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:t',
    ResponseURL: 'https://example.com/r',
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/M/1',
    RequestId: 'r-1',
    LogicalResourceId: 'Check',
    ResourceType: 'Custom::MutualTlsTruststoreCheck',
    ResourceProperties: { ServiceToken: 'x', ...props },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'truststore-check:dealers.example.com', OldResourceProperties: { ServiceToken: 'x' } }),
  } as CloudFormationCustomResourceEvent;
}

function apiGateway(mutualTlsAuthentication: Record<string, unknown> | undefined) {
  const calls: unknown[] = [];
  return {
    calls,
    client: { send: async (command: unknown) => (calls.push(command), { domainName: 'dealers.example.com', mutualTlsAuthentication }) },
  };
}

test('a truststore API Gateway used whole passes, and the domain is read by name', async () => {
  const api = apiGateway({ truststoreUri: 's3://b/truststore.pem', truststoreVersion: 'v2', truststoreWarnings: [] });
  await expect(checkTruststore(event('Create'), { apiGateway: api.client as never, log })).resolves.toEqual({ PhysicalResourceId: 'truststore-check:dealers.example.com', Data: {} });
  expect(api.calls).toHaveLength(1);
  expect(api.calls[0]).toBeInstanceOf(GetDomainNameCommand);
  expect((api.calls[0] as GetDomainNameCommand).input).toEqual({ domainName: 'dealers.example.com' });
});

test('any truststore warning fails the deploy, naming the warnings and the version', async () => {
  const api = apiGateway({ truststoreUri: 's3://b/truststore.pem', truststoreVersion: 'v2', truststoreWarnings: ['Certificate at index 1 is expired', 'Certificate at index 2 has an unsupported key'] });
  await expect(checkTruststore(event('Update'), { apiGateway: api.client as never, log })).rejects.toThrow(
    /s3:\/\/b\/truststore\.pem \(version v2\): Certificate at index 1 is expired; Certificate at index 2 has an unsupported key\. Fix the PEM file/,
  );
});

test('a domain without mutual TLS, or a missing DomainName, fails', async () => {
  await expect(checkTruststore(event('Create'), { apiGateway: apiGateway(undefined).client as never, log })).rejects.toThrow(/has no mutual TLS truststore/);
  await expect(checkTruststore(event('Create', {}), { apiGateway: apiGateway(undefined).client as never, log })).rejects.toThrow(/DomainName property is missing/);
});

test('Delete reads nothing', async () => {
  const api = apiGateway(undefined);
  await expect(checkTruststore(event('Delete'), { apiGateway: api.client as never, log })).resolves.toEqual({ PhysicalResourceId: 'truststore-check:dealers.example.com', Data: {} });
  expect(api.calls).toEqual([]);
});
