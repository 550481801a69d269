import { Size, SizeRoundingBehavior } from 'aws-cdk-lib';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { IntegrationConfigError } from '../core/errors';

/**
 * The body size the core rule set's `SizeRestrictions_BODY` rule blocks above: 8 KB (8,192 bytes).
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
 */
export const MANAGED_BODY_LIMIT = Size.kibibytes(8);

/**
 * The body inspection windows AWS WAF offers for API Gateway (`AssociationConfig.RequestBody
 * .API_GATEWAY.DefaultSizeInspectionLimit`): 16 KB by default, raised in steps of 16 KB to 64 KB,
 * for an extra fee above 16 KB.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html
 * @see https://aws.amazon.com/waf/pricing/
 */
export const BODY_INSPECTION_WINDOWS_KIB: readonly number[] = [16, 32, 48, 64];

/**
 * API Gateway's own payload limit for REST APIs, which applies whatever WAF does.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
 */
export const API_GATEWAY_PAYLOAD_LIMIT = Size.mebibytes(10);

/** The key of the JSON body WAF returns with a 413. */
export const BODY_TOO_LARGE_BODY_KEY = 'BodyTooLarge';

/** The body WAF sends with a 413. */
export const BODY_TOO_LARGE_BODY: wafv2.CfnWebACL.CustomResponseBodyProperty = {
  contentType: 'APPLICATION_JSON',
  content: JSON.stringify({ message: 'Request body too large.' }),
};

/** The block action answering `413 Content Too Large` with the JSON body. */
export const BODY_TOO_LARGE_ACTION: wafv2.CfnWebACL.RuleActionProperty = {
  block: { customResponse: { responseCode: 413, customResponseBodyKey: BODY_TOO_LARGE_BODY_KEY } },
};

/**
 * Checks a body-size limit and returns it in bytes. A limit above the largest window WAF can
 * inspect for API Gateway (64 KB) is an error rather than a warning: bodies between 64 KB and the
 * limit would pass WAF with a tail no rule has read, which is what the limit exists to prevent.
 *
 * @throws IntegrationConfigError for a size below one byte, a fraction of a byte, or over 64 KB
 */
export function validateBodyLimit(owner: string, prop: string, size: Size): number {
  if (!(size instanceof Size)) {
    throw new IntegrationConfigError(owner, prop, size, 'Give the limit as a Size, e.g. Size.kibibytes(32).');
  }
  if (size.isUnresolved()) {
    throw new IntegrationConfigError(owner, prop, '(token)', 'The body-size limit must be known at synth: it sets the WAF inspection window.');
  }
  const bytes = size.toBytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(bytes)) {
    throw new IntegrationConfigError(owner, prop, size.toHumanString(), 'Give a whole number of bytes, e.g. Size.kibibytes(32).');
  }
  const maxKib = BODY_INSPECTION_WINDOWS_KIB[BODY_INSPECTION_WINDOWS_KIB.length - 1];
  if (bytes < 1 || bytes > maxKib * 1024) {
    throw new IntegrationConfigError(
      owner,
      prop,
      `${bytes} bytes`,
      bytes < 1
        ? 'A body-size limit is at least 1 byte.'
        : `AWS WAF inspects at most ${maxKib} KB of an API Gateway request body ` +
            '(https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html), so a larger limit would let bodies through ' +
            `that no rule has read. Set ${prop} to Size.kibibytes(${maxKib}) or less, and send larger payloads another way (for example an S3 ` +
            `presigned upload); API Gateway itself rejects payloads over ${API_GATEWAY_PAYLOAD_LIMIT.toMebibytes()} MB.`,
    );
  }
  return bytes;
}

/** The smallest inspection window (KB) that holds `bytes`, so that no allowed body is cut. */
export function inspectionWindowKib(bytes: number): number {
  const kib = BODY_INSPECTION_WINDOWS_KIB.find((w) => w * 1024 >= bytes);
  if (kib === undefined) throw new Error(`no inspection window holds ${bytes} bytes`);
  return kib;
}

/**
 * Matches a body larger than `bytes`, and, through `OversizeHandling: MATCH`, a body larger than
 * the inspection window (which WAF cannot measure past the window): both are blocked, neither passes.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-oversize-request-components.html
 */
export function bodyLargerThan(bytes: number): wafv2.CfnWebACL.StatementProperty {
  return {
    sizeConstraintStatement: {
      fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
      comparisonOperator: 'GT',
      size: bytes,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}
