// The condition operators of the IAM policy evaluator (test/support/iam-policy-evaluator.ts), each
// checked against the rule of the IAM User Guide cited in its test.
import { ConditionBlock, conditionHolds, evaluate, PolicyStatement, RequestContext } from '../support/iam-policy-evaluator';

const ROLE = 'arn:aws:iam::111111111111:role/app';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:app/key-AbCdEf';
const holds = (condition: ConditionBlock, context: RequestContext = {}) => conditionHolds(condition, context);

describe('combining conditions', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html

  test('several values of one key OR together', () => {
    const condition = { StringEquals: { 'aws:PrincipalTag/team': ['a', 'b'] } };
    expect(holds(condition, { 'aws:PrincipalTag/team': 'b' })).toBe(true);
    expect(holds(condition, { 'aws:PrincipalTag/team': 'a' })).toBe(true);
    expect(holds(condition, { 'aws:PrincipalTag/team': 'c' })).toBe(false);
  });

  test('a negated operator with several values holds only if the key matches none of them (NOR)', () => {
    //   "If a single negated matching condition operator includes multiple values for a context key, those values are evaluated using a logical NOR"
    const condition = { StringNotEquals: { 'aws:PrincipalTag/team': ['a', 'b'] } };
    expect(holds(condition, { 'aws:PrincipalTag/team': 'a' })).toBe(false);
    expect(holds(condition, { 'aws:PrincipalTag/team': 'b' })).toBe(false);
    expect(holds(condition, { 'aws:PrincipalTag/team': 'c' })).toBe(true);
  });

  test('several keys of one operator, and several operators, AND together', () => {
    const condition = { StringEquals: { 'aws:SourceAccount': '111111111111', 'aws:PrincipalTag/team': 'a' }, Bool: { 'aws:SecureTransport': 'true' } };
    const context = { 'aws:SourceAccount': '111111111111', 'aws:PrincipalTag/team': 'a', 'aws:SecureTransport': true };
    expect(holds(condition, context)).toBe(true);
    expect(holds(condition, { ...context, 'aws:PrincipalTag/team': 'b' })).toBe(false);
    expect(holds(condition, { ...context, 'aws:SourceAccount': '222222222222' })).toBe(false);
    expect(holds(condition, { ...context, 'aws:SecureTransport': false })).toBe(false);
  });

  test('a statement without a Condition applies unconditionally', () => {
    expect(conditionHolds(undefined, {})).toBe(true);
  });
});

describe('string operators', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String

  test('condition key names are case-insensitive; StringEquals values are case-sensitive, StringEqualsIgnoreCase values are not', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
    //   "Condition key names are not case-sensitive." StringEquals: "Exact matching, case sensitive"
    expect(holds({ StringEquals: { 'AWS:SourceAccount': '111111111111' } }, { 'aws:sourceaccount': '111111111111' })).toBe(true);
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': 'Ops' } }, { 'aws:PrincipalTag/team': 'ops' })).toBe(false);
    expect(holds({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Ops' } }, { 'aws:PrincipalTag/team': 'oPS' })).toBe(true);
    expect(holds({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Ops' } }, { 'aws:PrincipalTag/team': 'dev' })).toBe(false);
  });

  test('StringNotEquals and StringNotEqualsIgnoreCase negate, the latter ignoring case', () => {
    expect(holds({ StringNotEquals: { 'aws:PrincipalTag/team': 'Ops' } }, { 'aws:PrincipalTag/team': 'ops' })).toBe(true);
    expect(holds({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Ops' } }, { 'aws:PrincipalTag/team': 'oPS' })).toBe(false);
    expect(holds({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Ops' } }, { 'aws:PrincipalTag/team': 'dev' })).toBe(true);
  });

  test('StringEquals takes no wildcards', () => {
    expect(holds({ StringEquals: { 'aws:userid': 'AROA*' } }, { 'aws:userid': 'AROAXYZ:app' })).toBe(false);
    expect(holds({ StringEquals: { 'aws:userid': 'AROA*' } }, { 'aws:userid': 'AROA*' })).toBe(true);
  });

  test('StringLike and StringNotLike take * and ? wildcards anywhere, case-sensitively', () => {
    //   StringLike: "Case-sensitive matching. The values can include multi-character match wildcards (*) and single-character match wildcards (?) anywhere in the string."
    expect(holds({ StringLike: { 'aws:userid': 'AROA*:app-?' } }, { 'aws:userid': 'AROAXYZ:app-1' })).toBe(true);
    expect(holds({ StringLike: { 'aws:userid': 'AROA*:app-?' } }, { 'aws:userid': 'AROAXYZ:app-12' })).toBe(false);
    expect(holds({ StringLike: { 'aws:userid': 'aroa*' } }, { 'aws:userid': 'AROAXYZ:app-1' })).toBe(false);
    expect(holds({ StringLike: { 'aws:userid': 'AROA' } }, { 'aws:userid': 'AROAXYZ' })).toBe(false);
    expect(holds({ StringNotLike: { 'aws:userid': 'AROA*' } }, { 'aws:userid': 'AROAXYZ:app-1' })).toBe(false);
    expect(holds({ StringNotLike: { 'aws:userid': 'AIDA*' } }, { 'aws:userid': 'AROAXYZ:app-1' })).toBe(true);
  });

  test('every other character is literal, those that regular expressions give a meaning too', () => {
    const text = 'a^b$c{1}d|e[f]g\\h.i+j(k)l';
    expect(holds({ StringLike: { 'aws:RequestTag/note': text } }, { 'aws:RequestTag/note': text })).toBe(true);
    expect(holds({ StringLike: { 'aws:RequestTag/note': 'a|b' } }, { 'aws:RequestTag/note': 'a|c' })).toBe(false);
    expect(holds({ StringLike: { 'aws:RequestTag/note': 'a.c' } }, { 'aws:RequestTag/note': 'abc' })).toBe(false);
    expect(holds({ StringLike: { 'aws:RequestTag/note': 'a+' } }, { 'aws:RequestTag/note': 'aa' })).toBe(false);
  });

  test('a * matches any characters, line breaks included', () => {
    expect(holds({ StringLike: { 'aws:RequestTag/note': 'first*last' } }, { 'aws:RequestTag/note': 'first\nlast' })).toBe(true);
    expect(holds({ StringLike: { 'aws:RequestTag/note': 'first?last' } }, { 'aws:RequestTag/note': 'first\nlast' })).toBe(true);
  });

  test('the empty string is a value: StringLike "" matches an empty s3:prefix only', () => {
    // Rule: the S3 home-directory example of the String operators ("s3:prefix": ["", "home/", ...])
    expect(holds({ StringLike: { 's3:prefix': ['', 'home/'] } }, { 's3:prefix': '' })).toBe(true);
    expect(holds({ StringLike: { 's3:prefix': ['', 'home/'] } }, { 's3:prefix': 'etc/' })).toBe(false);
  });

  test('a policy variable in a condition value throws: this evaluator does not substitute them', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    expect(() => holds({ StringEquals: { 'aws:PrincipalTag/team': '${aws:PrincipalTag/owner}' } }, { 'aws:PrincipalTag/team': 'a' })).toThrow(
      /policy variables are not supported: \$\{aws:PrincipalTag\/owner\}/,
    );
    expect(() => holds({ StringLike: { 's3:prefix': ['home/', 'home/${aws:username}/*'] } })).toThrow(/policy variables/);
  });
});

describe('ARN operators', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
  //   "Each of the six colon-delimited components of the ARN is checked separately and each can include multi-character match
  //    wildcards (*) or single-character match wildcards (?). The ArnEquals and ArnLike condition operators behave identically."
  const context = { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/p/x-AbCdEf' };

  test('ArnLike and ArnEquals match each component, with wildcards; ArnNotEquals and ArnNotLike negate', () => {
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/p/*' } }, context)).toBe(true);
    expect(holds({ ArnEquals: { 'aws:SourceArn': 'arn:aws:secretsmanager:*:111111111111:secret:integrations/p/*' } }, context)).toBe(true);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-?:111111111111:secret:integrations/p/*' } }, context)).toBe(true);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:integrations/p/*' } }, context)).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/q/*' } }, context)).toBe(false);
    expect(holds({ ArnNotEquals: { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/p/*' } }, context)).toBe(false);
    expect(holds({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/q/*' } }, context)).toBe(true);
  });

  test("a * matches within its component only: the guide's ArnLike example fails where StringLike matches", () => {
    //   pattern arn:aws:someservice:*:111122223333:finance/* against arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt:
    //   "With a StringLike condition, the match succeeds ... With an ArnLike condition, which matches elements between colons, the match fails."
    const request = { 'aws:SourceArn': 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt' };
    const pattern = 'arn:aws:someservice:*:111122223333:finance/*';
    expect(holds({ ArnLike: { 'aws:SourceArn': pattern } }, request)).toBe(false);
    expect(holds({ StringLike: { 'aws:SourceArn': pattern } }, request)).toBe(true);
  });

  test('the sixth component keeps its colons', () => {
    const logs = { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/app' };
    expect(holds({ ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group/aws/lambda:app' } }, logs)).toBe(false);
    expect(holds({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group:*' } }, logs)).toBe(true);
    expect(holds({ ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/app' } }, logs)).toBe(true);
    expect(holds({ ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/other' } }, logs)).toBe(false);
  });

  test('a pattern or a value that is not a six-component ARN never matches; the negated operators then hold', () => {
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:*' } }, context)).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': '*:*:*:*:*:*' } }, context)).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:*:*:*:*:*' } }, { 'aws:SourceArn': 'urn:aws:secretsmanager:eu-west-1:111111111111:secret' })).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:*:*:*:*:*' } }, { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111' })).toBe(false);
    expect(holds({ ArnNotLike: { 'aws:SourceArn': 'arn:*:*:*:*:*' } }, { 'aws:SourceArn': 'not an ARN' })).toBe(true);
  });
});

describe('Bool and Null', () => {
  test('Bool compares true and false, as JSON booleans or their text', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
    expect(holds({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': true })).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': false })).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'true' })).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': true })).toBe(false);
    expect(holds({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': false })).toBe(false);
  });

  test('a Bool value other than true or false throws', () => {
    expect(() => holds({ Bool: { 'aws:SecureTransport': 'yes' } }, { 'aws:SecureTransport': true })).toThrow(/"yes" is neither true nor false/);
    expect(() => holds({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'TRUE' })).toThrow(/"TRUE" is neither true nor false/);
  });

  test('Null tests presence: true holds when the key is absent, false when present; it takes no IfExists', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
    //   "use either true (the key doesn't exist — it is null) or false (the key exists and its value is not null)"
    //   "You can add IfExists to the end of any condition operator name except the Null condition"
    expect(holds({ Null: { 'aws:SourceArn': 'true' } })).toBe(true);
    expect(holds({ Null: { 'aws:SourceArn': 'false' } })).toBe(false);
    expect(holds({ Null: { 'aws:SourceArn': 'false' } }, { 'aws:SourceArn': SECRET })).toBe(true);
    expect(holds({ Null: { 'aws:SourceArn': true } }, { 'aws:SourceArn': SECRET })).toBe(false);
    expect(holds({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] })).toBe(true);
    expect(() => holds({ Null: { 'aws:SourceArn': 'maybe' } })).toThrow(/neither true nor false/);
    expect(() => holds({ NullIfExists: { 'aws:SourceArn': 'true' } })).toThrow(/condition operator NullIfExists is not supported/);
  });
});

describe('numeric operators', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
  const age = (operator: string, policy: string, request: number | string) => holds({ [operator]: { 'aws:MultiFactorAuthAge': policy } }, { 'aws:MultiFactorAuthAge': request });

  test.each([
    ['NumericEquals', [false, true, false]],
    ['NumericNotEquals', [true, false, true]],
    ['NumericLessThan', [true, false, false]],
    ['NumericLessThanEquals', [true, true, false]],
    ['NumericGreaterThan', [false, false, true]],
    ['NumericGreaterThanEquals', [false, true, true]],
  ])('%s compares the request value with the policy value (below, equal, above)', (operator, expected) => {
    expect([age(operator, '3600', 3599), age(operator, '3600', 3600), age(operator, '3600', 3601)]).toEqual(expected);
  });

  test('numbers may be decimal or negative, in the policy and in the request', () => {
    expect(age('NumericLessThan', '1.5', '1.25')).toBe(true);
    expect(age('NumericGreaterThan', '-1', 0)).toBe(true);
    expect(age('NumericEquals', '10', '10.0')).toBe(true);
  });

  test('several policy values: OR, and NOR for NumericNotEquals', () => {
    expect(holds({ NumericEquals: { 'aws:MultiFactorAuthAge': ['60', '61'] } }, { 'aws:MultiFactorAuthAge': 61 })).toBe(true);
    expect(holds({ NumericNotEquals: { 'aws:MultiFactorAuthAge': ['60', '61'] } }, { 'aws:MultiFactorAuthAge': 60 })).toBe(false);
  });

  test('a value that is not a number throws instead of comparing as 0 or NaN', () => {
    expect(() => age('NumericEquals', '', 0)).toThrow(/"" is not a number for a Numeric condition operator/);
    expect(() => age('NumericEquals', '60', 'sixty')).toThrow(/"sixty" is not a number/);
    for (const text of ['0x10', '1e3', ' 1', '1 ', '1.', '.5', '--1', 'Infinity']) expect(() => age('NumericLessThan', text, 1)).toThrow(/not a number/);
  });
});

describe('date operators', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
  //   "You must specify date/time values with one of the W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time."
  const at = (operator: string, policy: string, request: string | number) => holds({ [operator]: { 'aws:CurrentTime': policy } }, { 'aws:CurrentTime': request });

  test.each([
    ['DateEquals', [false, true, false]],
    ['DateNotEquals', [true, false, true]],
    ['DateLessThan', [true, false, false]],
    ['DateLessThanEquals', [true, true, false]],
    ['DateGreaterThan', [false, false, true]],
    ['DateGreaterThanEquals', [false, true, true]],
  ])('%s compares the request time with the policy time (before, at, after)', (operator, expected) => {
    const policy = '2026-12-03T10:00:00Z';
    expect([at(operator, policy, '2026-12-03T09:59:59Z'), at(operator, policy, '2026-12-03T10:00:00Z'), at(operator, policy, '2026-12-03T10:00:01Z')]).toEqual(expected);
  });

  test('epoch seconds and ISO 8601 texts of the same instant are equal', () => {
    expect(at('DateEquals', '2026-12-03T10:00:00Z', 1796292000)).toBe(true);
    expect(at('DateEquals', '1796292000', '2026-12-03T11:00:00+01:00')).toBe(true);
    expect(at('DateEquals', '1796292000', '2026-12-03T10:00:00.000Z')).toBe(true);
    expect(at('DateEquals', '1796292000', 1796292001)).toBe(false);
  });

  test('the W3C profiles of ISO 8601: a year, a month, a day, a time to the minute, second or fraction', () => {
    expect(at('DateEquals', '2026', '2026-01-01T00:00Z')).toBe(true);
    expect(at('DateEquals', '2026-12', '2026-12-01T00:00:00Z')).toBe(true);
    expect(at('DateEquals', '2026-12-03', '2026-12-03T00:00:00.0Z')).toBe(true);
    expect(at('DateLessThan', '2026-12-03T10:00:00.5Z', '2026-12-03T10:00:00.25Z')).toBe(true);
    expect(at('DateEquals', '2026-12-03T10:00-02:30', '2026-12-03T12:30Z')).toBe(true);
  });

  test('a time without its zone, or any other text, throws instead of reading local time', () => {
    for (const text of ['2026-12-03T10:00:00', '2026-12-03T10:00', 'Dec 3, 2026', '', '2026-13-01', '2026-12-03T25:00Z', '26-12-03', '2026-12-3', '2026-12-03T10:00:00.Z', '2026-12-03 10:00Z', '2026-12-03T10:00+0100', '-1']) {
      expect(() => at('DateLessThan', text, '2026-12-03T10:00:00Z')).toThrow(/is not an ISO 8601 date or epoch time for a Date condition operator/);
    }
  });

  test('a policy variable in a date value throws', () => {
    expect(() => at('DateLessThan', '${aws:CurrentTime}', '2026-12-03T10:00:00Z')).toThrow(/policy variables are not supported/);
  });
});

describe('IP address operators', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
  //   "If you specify an IP address without the associated routing prefix, IAM uses the default prefix value of /32."

  test('IpAddress and NotIpAddress match IPv4 and IPv6 networks and single addresses; an address of the other family never matches', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '10.1.2.3' })).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '11.1.2.3' })).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': ['192.0.2.1', '2001:db8::/32'] } }, { 'aws:SourceIp': '2001:db8:ffff::1' })).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '192.0.2.1' } }, { 'aws:SourceIp': '192.0.2.1' })).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '192.0.2.1' } }, { 'aws:SourceIp': '192.0.2.2' })).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db8::1' } }, { 'aws:SourceIp': '2001:db8::1' })).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db8::1' } }, { 'aws:SourceIp': '2001:db8::2' })).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:SourceIp': '2001:db9::1' })).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': 'not-an-address' })).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': 'no-network' } }, { 'aws:SourceIp': 'not-an-address' })).toBe(false);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '2001:db8::1' })).toBe(true);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '10.9.9.9' })).toBe(false);
  });
});

describe('keys absent from the request', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  //   "If the key that you specify in a policy condition is not present in the request context, the values do not match and the
  //    condition is false. If the policy condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and
  //    the right key is not present, the condition is true."

  test.each([
    ['StringEquals', '111111111111'],
    ['StringLike', '*'],
    ['StringEqualsIgnoreCase', 'a'],
    ['ArnLike', 'arn:aws:*:*:*:*'],
    ['Bool', 'false'],
    ['NumericLessThan', '10'],
    ['DateLessThan', '2030-01-01'],
    ['IpAddress', '0.0.0.0/0'],
  ])('%s on an absent key is false', (operator, value) => {
    expect(holds({ [operator]: { 'aws:SomeKey': value } })).toBe(false);
  });

  test.each([
    ['StringNotEquals', '111111111111'],
    ['StringNotLike', '*'],
    ['StringNotEqualsIgnoreCase', 'a'],
    ['ArnNotEquals', 'arn:aws:iam::111111111111:role/app'],
    ['ArnNotLike', 'arn:aws:*:*:*:*'],
    ['NumericNotEquals', '10'],
    ['DateNotEquals', '2030-01-01'],
    ['NotIpAddress', '10.0.0.0/8'],
  ])('negated %s on an absent key is true', (operator, value) => {
    expect(holds({ [operator]: { 'aws:SomeKey': value } })).toBe(true);
  });

  test('an empty list in the request is an absent key', () => {
    expect(holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': [] })).toBe(false);
    expect(holds({ StringNotEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': [] })).toBe(true);
  });

  test('...IfExists holds when the key is absent and tests it when present', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
    //   "If the key is not present, evaluate the condition element as true."
    expect(holds({ StringEqualsIfExists: { 'aws:SourceAccount': '111111111111' } })).toBe(true);
    expect(holds({ StringEqualsIfExists: { 'aws:SourceAccount': '111111111111' } }, { 'aws:SourceAccount': '111111111111' })).toBe(true);
    expect(holds({ StringEqualsIfExists: { 'aws:SourceAccount': '111111111111' } }, { 'aws:SourceAccount': '222222222222' })).toBe(false);
    expect(holds({ BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } }, { 'aws:PrincipalIsAWSService': true })).toBe(false);
    expect(holds({ BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } }, { 'aws:PrincipalIsAWSService': false })).toBe(true);
  });

  test('a Deny with a negated ...IfExists operator still denies when the key is missing', () => {
    //   "If you are using an "Effect": "Deny" element with a negated condition operator like StringNotEqualsIfExists, the request is still denied even if the tag is missing."
    const statement: PolicyStatement = { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:ResourceTag/team': 'a' } } };
    const request = { principal: { arn: ROLE }, action: 'secretsmanager:GetSecretValue', resource: SECRET };
    expect(evaluate(request, { identity: [{ ...statement, Effect: 'Allow' }, statement] })).toBe('ExplicitDeny');
    expect(evaluate({ ...request, context: { 'aws:ResourceTag/team': 'a' } }, { identity: [{ ...statement, Effect: 'Allow', Condition: undefined }, statement] })).toBe('Allow');
  });
});

describe('set operators for multivalued keys', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  //   ForAllValues: "returns true if every context key value in the request matches at least one context key value in the policy.
  //   It also returns true if there are no context keys in the request." ForAnyValue: "returns true if at least one context key
  //   value in the request matches at least one of the context key values in the policy ... returns false if there are no keys"
  //   "If the key values in the request resolve to an empty data set (for example, an empty string), a condition operator modified
  //    by ForAllValues returns true, and a condition operator modified by ForAnyValue returns false."

  test('ForAllValues holds when the key is absent, an empty list or an empty string', () => {
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } })).toBe(true);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } }, { 'aws:TagKeys': [] })).toBe(true);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } }, { 'aws:TagKeys': '' })).toBe(true);
    expect(holds({ 'ForAllValues:StringNotEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } })).toBe(true);
  });

  test('ForAllValues holds when every request value satisfies the operator', () => {
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['a', 'b'] })).toBe(true);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['b'] })).toBe(true);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['a', 'c'] })).toBe(false);
    expect(holds({ 'ForAllValues:StringLike': { 'dynamodb:Attributes': ['Post*', 'Message'] } }, { 'dynamodb:Attributes': ['PostDateTime', 'Message'] })).toBe(true);
  });

  test('ForAllValues with a negated operator holds only if no request value matches any policy value', () => {
    const condition = { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };
    expect(holds(condition, { 'aws:CalledVia': ['athena.amazonaws.com'] })).toBe(true);
    expect(holds(condition, { 'aws:CalledVia': ['cloudformation.amazonaws.com'] })).toBe(false);
    expect(holds(condition, { 'aws:CalledVia': ['athena.amazonaws.com', 'cloudformation.amazonaws.com'] })).toBe(false);
  });

  test('ForAnyValue is false when the key is absent or an empty string, true when one request value satisfies the operator', () => {
    const condition = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } };
    expect(holds(condition)).toBe(false);
    expect(holds(condition, { 'aws:CalledVia': '' })).toBe(false);
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } }, { 'aws:CalledVia': '' })).toBe(false);
    expect(holds(condition, { 'aws:CalledVia': ['cloudformation.amazonaws.com', 'athena.amazonaws.com'] })).toBe(true);
    expect(holds(condition, { 'aws:CalledVia': ['cloudformation.amazonaws.com'] })).toBe(false);
    // An empty string among other values is a value.
    expect(holds(condition, { 'aws:CalledVia': ['', 'athena.amazonaws.com'] })).toBe(true);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } }, { 'aws:CalledVia': ['', 'athena.amazonaws.com'] })).toBe(false);
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } }, { 'aws:CalledVia': ['athena.amazonaws.com', 'sns.amazonaws.com'] })).toBe(true);
  });

  test('a set operator on a single-valued key treats its value as a set of one', () => {
    expect(holds({ 'ForAnyValue:StringEquals': { 'aws:SourceAccount': '111111111111' } }, { 'aws:SourceAccount': '111111111111' })).toBe(true);
    expect(holds({ 'ForAllValues:NumericLessThan': { 's3:max-keys': '10' } }, { 's3:max-keys': 5 })).toBe(true);
  });

  test('a plain operator on a multivalued request value throws: the policy needs a set operator', () => {
    //   "Multivalued context keys require a condition set operator."
    expect(() => holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a', 'b'] })).toThrow(/aws:TagKeys has 2 values: a multivalued key needs ForAllValues: or ForAnyValue:/);
    expect(holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a'] })).toBe(true);
  });

  test('an unknown set operator or condition operator throws', () => {
    expect(() => holds({ 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a'] })).toThrow(/unknown set qualifier ForSomeValues/);
    expect(() => holds({ BinaryEquals: { 'aws:SomeKey': 'QmluYXJ5' } }, { 'aws:SomeKey': 'QmluYXJ5' })).toThrow(/condition operator BinaryEquals is not supported by this evaluator/);
    expect(() => holds({ IfExists: { 'aws:SomeKey': 'a' } })).toThrow(/condition operator IfExists is not supported/);
  });
});

describe("the principal's own keys", () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
  //   aws:PrincipalArn and aws:PrincipalAccount are in every request of an IAM principal; aws:PrincipalServiceName only in a
  //   service principal's request ("This key is not included in the request context if the principal is a service principal"
  //   for aws:PrincipalAccount).
  const statement = (condition: ConditionBlock): PolicyStatement => ({ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition });
  const decide = (principal: { arn: string } | { service: string }, condition: ConditionBlock, context?: RequestContext) =>
    evaluate({ principal, action: 'sns:Publish', resource: 'arn:aws:sns:eu-west-1:111111111111:alarms', context }, { resource: [{ ...statement(condition), Principal: '*' }] });

  test('an IAM principal brings aws:PrincipalArn and aws:PrincipalAccount, not aws:PrincipalServiceName', () => {
    expect(decide({ arn: ROLE }, { ArnEquals: { 'aws:PrincipalArn': ROLE }, StringEquals: { 'aws:PrincipalAccount': '111111111111' } })).toBe('Allow');
    expect(decide({ arn: ROLE }, { Null: { 'aws:PrincipalServiceName': 'true' } })).toBe('Allow');
  });

  test('a service principal brings aws:PrincipalServiceName, not aws:PrincipalAccount', () => {
    expect(decide({ service: 'cloudwatch.amazonaws.com' }, { StringEquals: { 'aws:PrincipalServiceName': 'cloudwatch.amazonaws.com' } })).toBe('Allow');
    expect(decide({ service: 'cloudwatch.amazonaws.com' }, { Null: { 'aws:PrincipalAccount': 'true', 'aws:PrincipalArn': 'true' } })).toBe('Allow');
  });

  test('a principal ARN without an account brings no aws:PrincipalAccount', () => {
    expect(decide({ arn: 'arn:aws:iam:::role/app' }, { Null: { 'aws:PrincipalAccount': 'true' } })).toBe('Allow');
  });

  test("the request's context overrides them, whatever the case of its key names", () => {
    expect(decide({ arn: ROLE }, { StringEquals: { 'aws:PrincipalAccount': '333333333333' } }, { 'AWS:PRINCIPALACCOUNT': '333333333333' })).toBe('Allow');
    expect(decide({ arn: ROLE }, { Null: { 'aws:PrincipalArn': 'true' } }, { 'aws:principalarn': [] })).toBe('Allow');
    expect(decide({ service: 'sns.amazonaws.com' }, { StringEquals: { 'aws:PrincipalServiceName': 'events.amazonaws.com' } }, { 'aws:PrincipalServiceName': 'events.amazonaws.com' })).toBe('Allow');
  });
});
