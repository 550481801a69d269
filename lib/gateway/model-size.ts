import { IntegrationConfigError } from '../core/errors';

/**
 * API Gateway's quota on models, in bytes: "Model size per API: 400 KB", which cannot be increased.
 *
 * - The quota is per REST API: every model of one API counts against it together, so one model under
 *   the limit is necessary, not sufficient, when several integrations share a platform's API.
 * - The page does not say whether KB means 1,000 or 1,024 bytes; we take the stricter 400,000 bytes,
 *   so a model accepted here is under the quota on either reading.
 * - Size is measured as the model's compact JSON text in UTF-8 ({@link schemaSizeBytes}), the form
 *   CloudFormation sends to API Gateway.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
 */
export const API_GATEWAY_MODEL_SIZE_LIMIT_BYTES = 400_000;

/** The size of a schema as compact JSON text, in UTF-8 bytes. */
export function schemaSizeBytes(schema: unknown): number {
  return Buffer.byteLength(JSON.stringify(schema) ?? '', 'utf8');
}

/**
 * Checks a model's size against API Gateway's model quota.
 * @param sizeBytes the model's size from {@link schemaSizeBytes}, in bytes
 * @param limitBytes the limit in bytes; defaults to {@link API_GATEWAY_MODEL_SIZE_LIMIT_BYTES}
 * @throws IntegrationConfigError naming the prop, the measured size and the limit when the model is larger
 */
export function checkModelSize(owner: string, prop: string, sizeBytes: number, limitBytes: number = API_GATEWAY_MODEL_SIZE_LIMIT_BYTES): void {
  if (sizeBytes <= limitBytes) return;
  throw new IntegrationConfigError(
    owner,
    prop,
    `${sizeBytes} bytes as a draft-04 model`,
    `A model may be at most ${limitBytes} bytes: API Gateway allows 400 KB (taken as 400,000 bytes) of models per REST API ` +
      '(quota "Model size per API", https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html). ' +
      'Simplify the schema: drop descriptions and titles, or the branches and fields the gateway need not check.',
  );
}
