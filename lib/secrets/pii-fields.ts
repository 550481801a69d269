import { FieldPathError, parseFieldPaths } from '../../lambda/shared/field-encryption/field-path';
import { PROTOTYPE_KEYS } from '../../lambda/ingest/body';
import { QUERY_PII_NAME, QUERY_PII_PREFIX, splitPiiFields } from '../../lambda/shared/query-pii';
import { IntegrationConfigError } from '../core/errors';

/**
 * Checks an integration's PII field paths (dot paths, `[*]` for every array element, a trailing
 * `.*` for every field of an object), with the same parser the ingest function uses, and its
 * `query:<name>` entries (query-string parameters, forwarded encrypted).
 * @throws IntegrationConfigError naming the prop, the value and the fix.
 */
export function validatePiiFields(owner: string, entries: unknown): string[] {
  if (!Array.isArray(entries) || entries.some((p) => typeof p !== 'string')) {
    throw new IntegrationConfigError(owner, 'piiFields', entries, 'List JSON paths of the body, for example ["contact.email", "commits[*].author.email", "billing_details.*"].');
  }
  const { bodyPaths: paths, queryNames } = splitPiiFields(entries as string[]);
  queryNames.forEach((name) => {
    if (!QUERY_PII_NAME.test(name) || PROTOTYPE_KEYS.has(name) || queryNames.indexOf(name) !== queryNames.lastIndexOf(name)) {
      throw new IntegrationConfigError(
        owner,
        'piiFields',
        `${QUERY_PII_PREFIX}${name}`,
        `Name a query-string parameter once, after "${QUERY_PII_PREFIX}", in letters, digits, _ - $ @ (at most 128), for example "${QUERY_PII_PREFIX}email": it is forwarded encrypted.`,
      );
    }
  });
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
  return entries as string[];
}
