// The JSON Schema validators the ingest compiles route schemas with: ajv (draft-06 and -07), its
// draft-04 build and ajv-formats. schema-validation.ts requires this module with the first schema a
// route validates; scripts/bundle-handlers.mjs bundles it into a file of its own beside index.js, so
// that a cold start neither parses nor runs ajv (routes without a schema never need it).
export { default as Ajv } from 'ajv';
export { default as AjvDraft04 } from 'ajv-draft-04';
export { default as addFormats } from 'ajv-formats';
