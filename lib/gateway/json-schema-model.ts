import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';

/** A JSON Schema document, as parsed from JSON (for example a vendor's published schema file). */
export type JsonSchemaDocument = { readonly [keyword: string]: unknown };

/** The JSON Schema draft API Gateway models are written in. */
export const API_GATEWAY_SCHEMA_DRAFT = 'http://json-schema.org/draft-04/schema#';

/**
 * Checks that a request-body schema is a JSON object schema.
 * @throws IntegrationConfigError when it is not a plain object, or declares a `type` other than "object".
 */
export function validateBodySchema(owner: string, prop: string, schema: unknown): JsonSchemaDocument {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new IntegrationConfigError(
      owner,
      prop,
      schema,
      'A body schema is a JSON Schema object, for example { type: "object", required: ["id"], properties: { id: { type: "string" } } }.',
    );
  }
  const type = (schema as JsonSchemaDocument).type;
  if (type !== undefined && type !== 'object') {
    throw new IntegrationConfigError(
      owner,
      `${prop}.type`,
      type,
      'Integration bodies are JSON objects: set type to "object" and describe the fields under properties.',
    );
  }
  return schema as JsonSchemaDocument;
}

/**
 * An API Gateway request model (`application/json`) for a body schema already in draft-04 form
 * (see `convertSchemaForApiGateway`); `$schema` is set to draft-04. The model is hashed into the
 * API's deployment, so a changed schema makes a new deployment of the stage.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
 */
export function createRequestModel(scope: Construct, id: string, restApi: apigateway.RestApi, schema: JsonSchemaDocument, description: string): apigateway.IModel {
  const props = { contentType: 'application/json', description, schema: { ...schema, $schema: API_GATEWAY_SCHEMA_DRAFT } };
  const model = new apigateway.CfnModel(scope, id, { restApiId: restApi.restApiId, ...props });
  // A model is an L1 (the L2 Model rewrites keys such as `id` and `ref`), which CDK does not hash
  // into the deployment: without this, a new schema would never reach the stage.
  const deployment = restApi.latestDeployment;
  if (deployment) {
    deployment.addToLogicalId({ model: props });
    deployment.node.addDependency(model);
  }
  return apigateway.Model.fromModelName(scope, `${id}Ref`, model.ref);
}
