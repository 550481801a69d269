// Checks, after the custom domain took the truststore, that API Gateway read every certificate of it:
// API Gateway reports certificates it could not use as `truststoreWarnings` and keeps mutual TLS on
// ("some clients might not be able to access your API"). A deploy that would leave a partner
// failing the handshake fails instead, and CloudFormation rolls the change back.
// @see https://docs.aws.amazon.com/apigateway/latest/api/API_MutualTlsAuthentication.html
import { type APIGatewayClient, GetDomainNameCommand } from '@aws-sdk/client-api-gateway';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { CustomResourceResult, Log } from '../shared/cfn-response';

/** The custom resource's properties. */
export interface TruststoreCheckProperties {
  readonly DomainName: string;
  /** The version the domain pins: a new one re-runs the check. */
  readonly TruststoreVersion?: string;
}

export interface CheckDependencies {
  readonly apiGateway: Pick<APIGatewayClient, 'send'>;
  readonly log: Log;
}

/**
 * Create and Update read the domain and fail on any truststore warning; Delete does nothing.
 * @throws Error naming each warning, or when the domain has no mutual TLS
 */
export async function checkTruststore(event: CloudFormationCustomResourceEvent, deps: CheckDependencies): Promise<CustomResourceResult> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId, Data: {} };
  const props = event.ResourceProperties as unknown as Partial<TruststoreCheckProperties>;
  if (typeof props.DomainName !== 'string' || props.DomainName.length === 0) throw new Error('the DomainName property is missing');
  const domain = await deps.apiGateway.send(new GetDomainNameCommand({ domainName: props.DomainName }));
  const mtls = domain.mutualTlsAuthentication;
  if (!mtls?.truststoreUri) throw new Error(`domain ${props.DomainName} has no mutual TLS truststore`);
  const warnings = mtls.truststoreWarnings ?? [];
  if (warnings.length > 0) {
    throw new Error(`API Gateway could not use part of the truststore ${mtls.truststoreUri} (version ${mtls.truststoreVersion ?? 'latest'}): ${warnings.join('; ')}. Fix the PEM file and deploy again.`);
  }
  deps.log.info('truststore accepted without warnings', { domainName: props.DomainName, truststoreVersion: mtls.truststoreVersion });
  return { PhysicalResourceId: `truststore-check:${props.DomainName}`, Data: {} };
}
