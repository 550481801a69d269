import AjvDraft04 from 'ajv-draft-04';
import { IntegrationConfigError } from '../core/errors';
import type { JsonSchemaDocument } from './json-schema-model';

let validator: AjvDraft04 | undefined;

/**
 * Checks a converted model schema against the JSON Schema draft-04 meta-schema (with ajv-draft-04),
 * so that a misspelt type, an empty `required` or a non-object `properties` fails at synth instead
 * of at deploy, where API Gateway rejects the model.
 * @throws IntegrationConfigError naming the prop with a JSON pointer to the offending keyword.
 */
export function validateDraft04Schema(owner: string, prop: string, schema: JsonSchemaDocument): void {
  validator ??= new AjvDraft04({ strict: false, allErrors: false, validateFormats: false });
  if (validator.validateSchema(schema)) return;
  const error = validator.errors?.[0];
  const pointer = error?.instancePath ?? '';
  throw new IntegrationConfigError(
    owner,
    `${prop}#${pointer}`,
    valueAt(schema, pointer),
    `This is not a valid JSON Schema: ${error?.message ?? 'invalid'}${error?.params && 'allowedValues' in error.params ? ` (${JSON.stringify(error.params.allowedValues)})` : ''}. Fix the schema at that location.`,
  );
}

function valueAt(document: unknown, pointer: string): unknown {
  let current = document;
  for (const segment of pointer.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}
