// Query-string parameters that carry personal data: named in `piiFields` as `query:<name>`, forwarded
// to the target encrypted like body fields, at `queryStringParameters.<name>` of the record.
// Shared by the construct (synth-time checks) and the ingest function (run time); no imports.

/** The prefix of a `piiFields` entry that names a query-string parameter instead of a body path. */
export const QUERY_PII_PREFIX = 'query:';

/** Where the record holds query-string parameters: the path prefix of their ciphertexts' `field`. */
export const QUERY_RECORD_FIELD = 'queryStringParameters';

/**
 * A query-string parameter name that can be a PII field: the field-name characters of a PII path
 * (letters, digits, `_ - $ @`), so `queryStringParameters.<name>` is a one-step path below the record.
 */
export const QUERY_PII_NAME = /^[A-Za-z0-9_$@-]{1,128}$/;

/** An integration's `piiFields`, split into body paths and query-string parameter names. */
export function splitPiiFields(entries: readonly string[] | undefined): { readonly bodyPaths: string[]; readonly queryNames: string[] } {
  const bodyPaths: string[] = [];
  const queryNames: string[] = [];
  for (const entry of entries ?? []) {
    if (entry.startsWith(QUERY_PII_PREFIX)) queryNames.push(entry.slice(QUERY_PII_PREFIX.length));
    else bodyPaths.push(entry);
  }
  return { bodyPaths, queryNames };
}

/** The record paths of encrypted query-string parameters, for `encryptFields` and `decryptFields` on the record. */
export function queryRecordPaths(queryNames: readonly string[]): string[] {
  return queryNames.map((name) => `${QUERY_RECORD_FIELD}.${name}`);
}
