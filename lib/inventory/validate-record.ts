// Validation of inventory records and reports against their JSON Schema (Ajv, draft-07).
// Validators are compiled once per process, on first use.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { InventoryRecord } from './inventory-record';
import { INVENTORY_RECORD_SCHEMA, INVENTORY_REPORT_SCHEMA } from './inventory-record-schema';

/** The outcome of a validation: the typed value, or readable errors (`/path message`). */
export type Validated<T> = { readonly value: T; readonly errors?: undefined } | { readonly value?: undefined; readonly errors: string[] };

let validators: { record: ValidateFunction; report: ValidateFunction; coercingRecord: ValidateFunction } | undefined;

function compiled() {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true });
    ajv.addSchema(INVENTORY_RECORD_SCHEMA);
    // CloudFormation passes every scalar property of a custom resource as a string ("30", "99.9"):
    // a second instance converts them back to the schema's types, in place.
    const coercing = new Ajv({ allErrors: true, coerceTypes: true });
    validators = {
      record: ajv.getSchema(INVENTORY_RECORD_SCHEMA.$id)!,
      report: ajv.compile(INVENTORY_REPORT_SCHEMA),
      coercingRecord: coercing.compile(INVENTORY_RECORD_SCHEMA),
    };
  }
  return validators;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '/';
    const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : '';
    return `${where} ${e.message ?? e.keyword}${extra}`;
  });
}

/** Validates a record (schema version 1) as it is, without changing it. */
export function validateRecord(value: unknown): Validated<InventoryRecord> {
  const validate = compiled().record;
  return validate(value) ? { value: value as InventoryRecord } : { errors: describe(validate.errors) };
}

/**
 * Validates a record whose scalars may arrive as strings (custom resource properties), converting
 * them to the schema's types. Works on a copy; the input is not changed.
 */
export function coerceRecord(value: unknown): Validated<InventoryRecord> {
  const copy: unknown = JSON.parse(JSON.stringify(value ?? null));
  const validate = compiled().coercingRecord;
  return validate(copy) ? { value: copy as InventoryRecord } : { errors: describe(validate.errors) };
}

/** Validates a synth-time report `{ schemaVersion: 1, generatedAt, records: [...] }`. */
export function validateReport(value: unknown): Validated<{ schemaVersion: 1; generatedAt?: string; records: InventoryRecord[] }> {
  const validate = compiled().report;
  return validate(value) ? { value: value as { schemaVersion: 1; generatedAt?: string; records: InventoryRecord[] } } : { errors: describe(validate.errors) };
}
