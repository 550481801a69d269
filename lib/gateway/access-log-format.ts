import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * The fields of the platform's API Gateway access log, one JSON object per request.
 *
 * Both request ids (`requestId`, `extendedRequestId`) and the X-Ray trace id let one request be
 * followed across API Gateway, WAF, the authorizer and the target. Bodies, query strings and
 * authorization headers are never logged. Every value is a quoted string, so a missing variable
 * (`-`) still yields valid JSON.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  xrayTraceId: '$context.xrayTraceId',
  requestTime: '$context.requestTime',
  requestTimeEpoch: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  clientId: '$context.authorizer.claims.client_id',
  // The signing principal of an Auth.iam route.
  callerArn: '$context.identity.userArn',
  // The client certificate of a mutual TLS domain (empty elsewhere): what Auth.mutualTls clientSubjects match.
  clientCertSubject: '$context.identity.clientCert.subjectDN',
  clientCertIssuer: '$context.identity.clientCert.issuerDN',
  clientCertSerial: '$context.identity.clientCert.serialNumber',
  clientCertNotAfter: '$context.identity.clientCert.validity.notAfter',
  domainName: '$context.domainName',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  integrationError: '$context.integration.error',
  errorMessage: '$context.error.message',
  errorType: '$context.error.responseType',
  wafResponseCode: '$context.wafResponseCode',
  webaclArn: '$context.webaclArn',
  authorizerError: '$context.authorizer.error',
};

/** The access-log format string built from {@link ACCESS_LOG_FIELDS}. */
export function accessLogFormat(): apigateway.AccessLogFormat {
  return apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS));
}
