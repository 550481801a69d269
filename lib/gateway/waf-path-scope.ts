import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { IntegrationConfigError } from '../core/errors';
import { validateRoutePath } from './api-route';

/**
 * Longest `RegexString` of a `RegexMatchStatement` (CloudFormation resource schema of
 * `AWS::WAFv2::WebACL`: maxLength 512); longer scopes are split into several statements.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-wafv2-webacl-regexmatchstatement.html
 */
export const MAX_REGEX_LENGTH = 512;

/** A path prefix WAF sees before a route's path: `` or `/` followed by segments, no trailing `/`. */
const PREFIX_PATTERN = /^(\/[A-Za-z0-9._~-]+)*$/;

/**
 * Checks the prefixes WAF sees in front of a route's path (the stage, `/v1`, on the execute-api
 * endpoint; the base path, or nothing, on a custom domain).
 * @throws IntegrationConfigError for an empty list or a malformed prefix
 */
export function validatePathPrefixes(owner: string, prop: string, prefixes: readonly string[]): string[] {
  if (!Array.isArray(prefixes) || prefixes.length === 0) {
    throw new IntegrationConfigError(owner, prop, prefixes, 'List at least one prefix, e.g. ["/v1"] for stage v1 on the execute-api endpoint.');
  }
  prefixes.forEach((p, i) => {
    if (typeof p !== 'string' || !PREFIX_PATTERN.test(p)) {
      throw new IntegrationConfigError(
        owner,
        `${prop}[${i}]`,
        p,
        'A prefix is "" (a custom domain mapped at its root) or "/" followed by segments of letters, digits and "._~-", with no trailing slash, e.g. "/v1".',
      );
    }
  });
  return [...new Set(prefixes)];
}

/**
 * The statement that matches requests to an integration's routes: its paths exactly (a trailing
 * slash allowed), each `{parameter}` as one non-empty segment, behind any of the prefixes.
 *
 * Two regular expressions are OR-ed: one on the URI path as received (no transformation) and one
 * after `URL_DECODE`, so that a percent-encoded spelling of a static segment (`/v1/%6Frders`) is in
 * scope too, while a `%2F` inside a parameter (which the raw match covers) cannot take a request
 * out of scope by decoding into a path separator.
 *
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-regex-match.html
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-transformation.html
 */
export function pathScopeStatement(owner: string, prop: string, prefixes: readonly string[], paths: readonly string[]): wafv2.CfnWebACL.StatementProperty {
  if (!Array.isArray(paths) || paths.length === 0) {
    throw new IntegrationConfigError(owner, prop, paths, 'WAF controls of an integration apply to its routes: give the integration inbound routes, or drop its WAF options.');
  }
  const alternatives = [...new Set(paths.map((p, i) => routeRegex(validateRoutePath(owner, `${prop}[${i}]`, p))))].sort();
  const head = `^(${prefixes.map(escapeLiteral).join('|')})(`;
  const tail = ')/?$';
  const chunks: string[][] = [];
  for (const alternative of alternatives) {
    const current = chunks[chunks.length - 1];
    if (current && (head + [...current, alternative].join('|') + tail).length <= MAX_REGEX_LENGTH) current.push(alternative);
    else chunks.push([alternative]);
  }
  const statements: wafv2.CfnWebACL.StatementProperty[] = [];
  for (const chunk of chunks) {
    const regexString = head + chunk.join('|') + tail;
    if (regexString.length > MAX_REGEX_LENGTH) {
      throw new IntegrationConfigError(owner, prop, chunk[0], `This path makes a WAF regular expression longer than ${MAX_REGEX_LENGTH} characters; shorten it or the prefixes.`);
    }
    for (const type of ['NONE', 'URL_DECODE']) {
      statements.push({ regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString, textTransformations: [{ priority: 0, type }] } });
    }
  }
  return { orStatement: { statements } };
}

/** `/orders/{id}` to `/orders/[^/]+`: static segments literal, each parameter one segment. */
function routeRegex(path: string): string {
  return path
    .split('/')
    .slice(1)
    .map((segment) => (/^\{.+\}$/.test(segment) ? '/[^/]+' : `/${escapeLiteral(segment)}`))
    .join('');
}

/** Escapes the one regex metacharacter a path segment may hold (`.`); `-`, `_`, `~` are literal. */
function escapeLiteral(text: string): string {
  return text.replace(/\./g, '\\.');
}
