import { IntegrationConfigError } from '../core/errors';

/**
 * The sensitivity of the data an integration carries, which drives its controls and is recorded
 * in the inventory. The four levels follow the usual enterprise scheme (for example ISO/IEC 27001
 * Annex A 5.12 "classification of information").
 */
export enum DataClassification {
  /** Published or publishable data. */
  PUBLIC = 'PUBLIC',
  /** Internal business data whose disclosure does limited harm. */
  INTERNAL = 'INTERNAL',
  /** Business or personal data whose disclosure harms customers or the business (contacts, orders). */
  CONFIDENTIAL = 'CONFIDENTIAL',
  /** Regulated data: payment data, health data, government identifiers, bank accounts. */
  RESTRICTED = 'RESTRICTED',
}

/**
 * Checks a classification given at run time (for example from JavaScript or a config file).
 * @throws IntegrationConfigError when the value is not one of {@link DataClassification}.
 */
export function validateDataClassification(owner: string, value: unknown): DataClassification {
  const allowed = Object.values(DataClassification) as string[];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new IntegrationConfigError(owner, 'dataClassification', value, `Use one of DataClassification.${allowed.join(', DataClassification.')}.`);
  }
  return value as DataClassification;
}
