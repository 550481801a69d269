// Round-trip properties (fast-check) over nested JSON records, against moto's KMS: whatever shape the
// record has, exactly the values the paths name are encrypted and decryption restores the record.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { DataKeyCache, decryptFields, encryptFields, isEncryptedField, parseFieldPaths } from '../../../lambda/shared/field-encryption';
import { findOccurrences } from '../../../lambda/shared/field-encryption/field-path';
import { motoClientConfig } from '../../support/aws-env';

const PATHS = ['contact.email', 'contact.address.*', 'orders[*].buyer.email', 'orders[*].lines[*].note', 'meta'];
const json = fc.jsonValue({ maxDepth: 2 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, json);
/**
 * Records that sometimes have the paths, sometimes values of another shape there, and unrelated fields
 * around; passed through JSON as a handler receives them (fast-check's objects may lack a prototype).
 */
const contact = fc.record({ email: json, address: maybe(fc.dictionary(fc.string(), json, { maxKeys: 4 })), name: json }, { requiredKeys: [] });
const line = fc.record({ note: json }, { requiredKeys: [] });
const order = fc.record({ buyer: maybe(fc.record({ email: json }, { requiredKeys: [] })), lines: maybe(fc.array(maybe(line), { maxLength: 3 })) }, { requiredKeys: [] });
const records = fc
  .record(
    { contact: maybe(contact), orders: maybe(fc.array(maybe(order), { maxLength: 3 })), meta: json, extra: fc.dictionary(fc.string(), json, { maxKeys: 3 }) },
    { requiredKeys: [] },
  )
  .map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);

describe('field encryption round trip (property)', () => {
  const kms = new KMSClient(motoClientConfig());
  const cache = new DataKeyCache();
  let keyId: string;
  beforeAll(async () => {
    keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  });

  test('decryptFields(encryptFields(r)) equals r, and exactly the named values are encrypted', async () => {
    const fieldPaths = parseFieldPaths(PATHS);
    await fc.assert(
      fc.asyncProperty(records, async (record) => {
        const before = JSON.stringify(record);
        const encrypted = await encryptFields(record, PATHS, { integration: 'Prop', keyId, kms, cache });
        expect(JSON.stringify(record)).toBe(before); // the input is untouched
        for (const fieldPath of fieldPaths) {
          const named = findOccurrences(record, fieldPath).map((o) => o.location);
          const found = findOccurrences(encrypted, fieldPath);
          expect(found.map((o) => o.location)).toEqual(named);
          expect(found.every((o) => isEncryptedField((o.parent as Record<string | number, unknown>)[o.key]))).toBe(true);
        }
        expect(await decryptFields(encrypted, { integration: 'Prop', kms, cache })).toStrictEqual(record);
      }),
      { numRuns: 150 },
    );
  });

  test('a record without encrypted fields decrypts to itself', async () => {
    await fc.assert(
      fc.asyncProperty(records, async (record) => {
        expect(await decryptFields(record, { integration: 'Prop', kms, cache })).toStrictEqual(record);
      }),
      { numRuns: 100 },
    );
  });
});
