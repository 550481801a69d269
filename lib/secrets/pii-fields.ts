import { FieldPathError, parseFieldPaths } from '../../lambda/shared/field-encryption/field-path';
import { IntegrationConfigError } from '../core/errors';

/**
 * Checks an integration's PII field paths (dot paths, `[*]` for every array element, a trailing
 * `.*` for every field of an object), with the same parser the ingest function uses.
 * @throws IntegrationConfigError naming the prop, the value and the fix.
 */
export function validatePiiFields(owner: string, paths: unknown): string[] {
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) {
    throw new IntegrationConfigError(owner, 'piiFields', paths, 'List JSON paths of the body, for example ["contact.email", "commits[*].author.email", "billing_details.*"].');
  }
  const jsonPath = (paths as string[]).find((p) => p.startsWith('$'));
  if (jsonPath !== undefined) {
    throw new IntegrationConfigError(owner, 'piiFields', jsonPath, `Write dot paths from the body's root without "$.", for example "${jsonPath.replace(/^\$\.?/, '')}".`);
  }
  try {
    parseFieldPaths(paths);
  } catch (error) {
    if (error instanceof FieldPathError) throw new IntegrationConfigError(owner, 'piiFields', paths, `${error.message}.`);
    throw error;
  }
  return paths as string[];
}
