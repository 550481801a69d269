import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** A JSON response with the API request id echoed, so a caller can quote it to support. */
export function jsonResponse(statusCode: number, body: Record<string, unknown>, event: APIGatewayProxyEvent): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-request-id': event.requestContext.requestId },
    body: JSON.stringify({ ...body, requestId: event.requestContext.requestId }),
  };
}

/** The parsed JSON body (API Gateway has validated it against the route's schema already). */
export function parseBody(event: APIGatewayProxyEvent): Record<string, unknown> {
  const raw = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
}

/** The OAuth 2.0 client id of the caller, from the Cognito authorizer's claims. */
export function callerClientId(event: APIGatewayProxyEvent): string | undefined {
  const claims = event.requestContext.authorizer?.claims as Record<string, string> | undefined;
  return claims?.client_id;
}
