// The mutual TLS truststore writer (Custom::MutualTlsTruststore) against moto_server's S3: the PEM
// is put in a versioned bucket and the version written is what CloudFormation gets back (the custom
// domain pins it); an unversioned bucket or a bad property fails the deployment; Delete keeps
// everything. Then the CloudFormation side, through the shared response wrapper and the handler.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { respondToCloudFormation } from '../../../lambda/shared/cfn-response';
import { CREATE_FAILED_PHYSICAL_ID, type TruststoreProperties, writeTruststore } from '../../../lambda/truststore/write';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { ACCOUNT, captureLog, fakeResponseBucket, REGION, STACK_ID } from '../../inventory/inventory-fixtures';

// Path-style addressing: moto_server answers on 127.0.0.1, where a bucket cannot be a host name.
const s3 = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'mtls');
const pem = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const RSA_CA = pem('rsa2048-ca.pem');
const TWO_CAS = pem('two-cas.pem');
const KEY = 'truststore.pem';

/**
 * A Custom::MutualTlsTruststore request as CloudFormation sends it. (The inventory's `cfnEvent` builds
 * the inventory's own properties; this is the same envelope with the truststore's.)
 */
function truststoreEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  props: Partial<TruststoreProperties>,
  options: { physicalId?: string; old?: Partial<TruststoreProperties>; responseUrl?: string } = {},
): CloudFormationCustomResourceEvent {
  const serviceToken = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:IntegrationsStack-TruststoreFunction`;
  const common = {
    ServiceToken: serviceToken,
    ResponseURL: options.responseUrl ?? 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/presigned',
    StackId: STACK_ID,
    RequestId: `req-${Math.random().toString(36).slice(2)}`,
    LogicalResourceId: 'PlatformTruststoreObject1A2B3C4D',
    ResourceType: 'Custom::MutualTlsTruststore',
    ResourceProperties: { ServiceToken: serviceToken, ...props },
  };
  const physicalId = options.physicalId ?? `s3://${props.Bucket}/${props.Key}`;
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update') return { ...common, RequestType: 'Update', PhysicalResourceId: physicalId, OldResourceProperties: { ServiceToken: serviceToken, ...(options.old ?? props) } };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalId };
}

async function bucket(versioning: 'Enabled' | 'Suspended' | 'none'): Promise<string> {
  const name = uniqueName('truststore');
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  if (versioning !== 'none') await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: versioning } }));
  return name;
}

async function versionsOf(Bucket: string, Key: string) {
  const out = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: Key }));
  return (out.Versions ?? []).filter((v) => v.Key === Key);
}

async function bodyOf(Bucket: string, Key: string, VersionId?: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return out.Body!.transformToString('utf8');
}

describe('writeTruststore against S3 (moto)', () => {
  test('Create puts the PEM and returns the version S3 lists for the object', async () => {
    // GIVEN
    const Bucket = await bucket('Enabled');
    const { lines, log } = captureLog();
    // WHEN
    const result = await writeTruststore(truststoreEvent('Create', { Bucket, Key: KEY, Pem: TWO_CAS }), { s3, log });
    // THEN
    const versions = await versionsOf(Bucket, KEY);
    expect(versions).toHaveLength(1);
    expect(versions[0].VersionId).toEqual(expect.any(String));
    expect(result).toEqual({ PhysicalResourceId: `s3://${Bucket}/${KEY}`, Data: { VersionId: versions[0].VersionId } });
    expect(versions[0].IsLatest).toBe(true);
    expect(await bodyOf(Bucket, KEY)).toBe(TWO_CAS);
    expect(await bodyOf(Bucket, KEY, result.Data.VersionId)).toBe(TWO_CAS);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'truststore written', extra: { bucket: Bucket, key: KEY, versionId: result.Data.VersionId } }));
  });

  test('the object is stored as a PEM file', async () => {
    const Bucket = await bucket('Enabled');
    await writeTruststore(truststoreEvent('Create', { Bucket, Key: KEY, Pem: RSA_CA }), { s3, log: captureLog().log });
    const out = await s3.send(new GetObjectCommand({ Bucket, Key: KEY }));
    expect(out.ContentType).toBe('application/x-pem-file');
  });

  test('Update with a changed PEM returns a new version; both versions stay, each with its own PEM', async () => {
    // GIVEN
    const Bucket = await bucket('Enabled');
    const { log } = captureLog();
    const created = await writeTruststore(truststoreEvent('Create', { Bucket, Key: KEY, Pem: RSA_CA }), { s3, log });
    // WHEN
    const updated = await writeTruststore(
      truststoreEvent('Update', { Bucket, Key: KEY, Pem: TWO_CAS }, { physicalId: created.PhysicalResourceId, old: { Bucket, Key: KEY, Pem: RSA_CA } }),
      { s3, log },
    );
    // THEN
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(updated.Data.VersionId).toEqual(expect.any(String));
    expect(updated.Data.VersionId).not.toBe(created.Data.VersionId);
    const versions = await versionsOf(Bucket, KEY);
    expect(versions.map((v) => v.VersionId).sort()).toEqual([created.Data.VersionId, updated.Data.VersionId].sort());
    expect(versions.find((v) => v.IsLatest)?.VersionId).toBe(updated.Data.VersionId);
    expect(await bodyOf(Bucket, KEY, created.Data.VersionId)).toBe(RSA_CA);
    expect(await bodyOf(Bucket, KEY, updated.Data.VersionId)).toBe(TWO_CAS);
  });

  test('an unversioned bucket fails the write, naming versioning', async () => {
    const Bucket = await bucket('none');
    await expect(writeTruststore(truststoreEvent('Create', { Bucket, Key: KEY, Pem: RSA_CA }), { s3, log: captureLog().log })).rejects.toThrow(
      /must be versioned/,
    );
  });

  test('a bucket whose versioning is suspended (version id "null") fails the write too', async () => {
    const Bucket = await bucket('Suspended');
    await expect(writeTruststore(truststoreEvent('Create', { Bucket, Key: KEY, Pem: RSA_CA }), { s3, log: captureLog().log })).rejects.toThrow(
      new RegExp(`s3://${Bucket}/${KEY} was written without a version id: the bucket must be versioned`),
    );
  });

  test.each(['Bucket', 'Key', 'Pem'] as const)('a missing %s property fails Create and Update, naming it, before anything is written', async (name) => {
    const Bucket = await bucket('Enabled');
    const props: Partial<TruststoreProperties> = { Bucket, Key: KEY, Pem: RSA_CA };
    const missing = { ...props, [name]: undefined };
    const empty = { ...props, [name]: '' };
    const deps = { s3, log: captureLog().log };
    await expect(writeTruststore(truststoreEvent('Create', missing), deps)).rejects.toThrow(`the ${name} property is missing`);
    await expect(writeTruststore(truststoreEvent('Create', empty), deps)).rejects.toThrow(`the ${name} property is missing`);
    await expect(writeTruststore(truststoreEvent('Update', missing, { physicalId: `s3://${Bucket}/${KEY}`, old: props }), deps)).rejects.toThrow(
      `the ${name} property is missing`,
    );
    expect(await versionsOf(Bucket, KEY)).toEqual([]);
  });

  test('a Pem without a certificate fails, and nothing is written', async () => {
    const Bucket = await bucket('Enabled');
    const deps = { s3, log: captureLog().log };
    const privateKeyOnly = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC\n-----END PRIVATE KEY-----\n';
    for (const Pem of ['not a pem at all', privateKeyOnly]) {
      await expect(writeTruststore(truststoreEvent('Create', { Bucket, Key: KEY, Pem }), deps)).rejects.toThrow('the Pem property holds no certificate');
    }
    expect(await versionsOf(Bucket, KEY)).toEqual([]);
  });

  test('Delete answers the same physical id and leaves the object and its versions', async () => {
    // GIVEN
    const Bucket = await bucket('Enabled');
    const { lines, log } = captureLog();
    const created = await writeTruststore(truststoreEvent('Create', { Bucket, Key: KEY, Pem: RSA_CA }), { s3, log });
    const updated = await writeTruststore(truststoreEvent('Update', { Bucket, Key: KEY, Pem: TWO_CAS }, { physicalId: created.PhysicalResourceId }), { s3, log });
    // WHEN
    const deleted = await writeTruststore(truststoreEvent('Delete', { Bucket, Key: KEY, Pem: TWO_CAS }, { physicalId: created.PhysicalResourceId }), { s3, log });
    // THEN
    expect(deleted).toEqual({ PhysicalResourceId: created.PhysicalResourceId, Data: {} });
    const versions = await versionsOf(Bucket, KEY);
    expect(versions.map((v) => v.VersionId).sort()).toEqual([created.Data.VersionId, updated.Data.VersionId].sort());
    const markers = (await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: KEY }))).DeleteMarkers ?? [];
    expect(markers).toEqual([]);
    expect(await bodyOf(Bucket, KEY)).toBe(TWO_CAS);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'truststore kept: the bucket retains every version' }));
  });

  test('Delete of a Create that failed does nothing, whatever its properties', async () => {
    const s3Calls: unknown[] = [];
    const recording = { send: async (command: unknown) => void s3Calls.push(command) } as unknown as S3Client;
    const deleted = await writeTruststore(truststoreEvent('Delete', { Pem: 'garbage' }, { physicalId: CREATE_FAILED_PHYSICAL_ID }), { s3: recording, log: captureLog().log });
    expect(deleted).toEqual({ PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID, Data: {} });
    expect(s3Calls).toEqual([]);
  });
});

describe('the truststore custom resource answers CloudFormation', () => {
  const responses = fakeResponseBucket();
  let url: string;
  beforeAll(async () => {
    url = await responses.start();
  });
  afterAll(() => responses.stop());
  beforeEach(() => responses.received.splice(0));

  test('CREATE_FAILED_PHYSICAL_ID is truststore:CREATE_FAILED', () => {
    expect(CREATE_FAILED_PHYSICAL_ID).toBe('truststore:CREATE_FAILED');
  });

  test('a Create that succeeds is sent as SUCCESS with the version written, readable with Fn::GetAtt VersionId', async () => {
    const Bucket = await bucket('Enabled');
    const event = truststoreEvent('Create', { Bucket, Key: KEY, Pem: TWO_CAS }, { responseUrl: url });
    const { log } = captureLog();
    const response = await respondToCloudFormation(event, () => writeTruststore(event, { s3, log }), { log, createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID });
    const [version] = await versionsOf(Bucket, KEY);
    expect(responses.received).toHaveLength(1);
    expect(responses.received[0].body).toEqual({
      Status: 'SUCCESS',
      StackId: STACK_ID,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      PhysicalResourceId: `s3://${Bucket}/${KEY}`,
      Data: { VersionId: version.VersionId },
    });
    expect(response.Status).toBe('SUCCESS');
  });

  test('a Create on an unversioned bucket is sent as FAILED with truststore:CREATE_FAILED and the reason', async () => {
    // GIVEN
    const Bucket = await bucket('none');
    const event = truststoreEvent('Create', { Bucket, Key: KEY, Pem: RSA_CA }, { responseUrl: url });
    const { lines, log } = captureLog();
    // WHEN
    const response = await respondToCloudFormation(event, () => writeTruststore(event, { s3, log }), {
      log,
      logStreamName: '2026/03/01/[$LATEST]abc',
      createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID,
    });
    // THEN
    expect(response.Status).toBe('FAILED');
    expect(responses.received).toHaveLength(1);
    expect(responses.received[0].method).toBe('PUT');
    expect(responses.received[0].body).toEqual({
      Status: 'FAILED',
      StackId: STACK_ID,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      PhysicalResourceId: 'truststore:CREATE_FAILED',
      Reason: expect.stringMatching(/^s3:\/\/.+ was written without a version id: the bucket must be versioned.* \(log stream 2026\/03\/01\/\[\$LATEST\]abc\)$/),
    });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'custom resource request failed', extra: expect.objectContaining({ requestType: 'Create' }) }));
  });

  test('a failed Update keeps the physical id, so CloudFormation keeps the version it pinned', async () => {
    const Bucket = await bucket('Enabled');
    const physicalId = `s3://${Bucket}/${KEY}`;
    const event = truststoreEvent('Update', { Bucket, Key: KEY, Pem: 'no certificate here' }, { physicalId, responseUrl: url });
    const { log } = captureLog();
    await respondToCloudFormation(event, () => writeTruststore(event, { s3, log }), { log, createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID });
    expect(responses.received[0].body).toEqual(expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: physicalId, Reason: 'the Pem property holds no certificate' }));
  });

  test('the handler answers a failing Create FAILED with truststore:CREATE_FAILED and the log stream, and its Delete SUCCESS with that id', async () => {
    // The handler's own S3 client is never called here: the Create fails on its properties first.
    const before = process.env.POWERTOOLS_LOG_LEVEL;
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    try {
      const { handler } = await import('../../../lambda/truststore/index');
      const context = { getRemainingTimeInMillis: () => 60_000, logStreamName: '2026/03/01/[$LATEST]def' } as unknown as Context;
      const create = truststoreEvent('Create', { Bucket: 'platform-truststore', Key: KEY }, { responseUrl: url });
      expect(await handler(create, context)).toEqual({ Status: 'FAILED' });
      expect(responses.received.at(-1)?.body).toEqual({
        Status: 'FAILED',
        StackId: STACK_ID,
        RequestId: create.RequestId,
        LogicalResourceId: create.LogicalResourceId,
        PhysicalResourceId: 'truststore:CREATE_FAILED',
        Reason: 'the Pem property is missing (log stream 2026/03/01/[$LATEST]def)',
      });
      // CloudFormation then deletes the resource it was told of: nothing to do, answered SUCCESS.
      const del = truststoreEvent('Delete', { Bucket: 'platform-truststore', Key: KEY }, { physicalId: 'truststore:CREATE_FAILED', responseUrl: url });
      expect(await handler(del, context)).toEqual({ Status: 'SUCCESS' });
      expect(responses.received.at(-1)?.body).toEqual(expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'truststore:CREATE_FAILED', Data: {} }));
      expect(responses.received).toHaveLength(2);
      // Anything but a custom resource request is ignored, never answered.
      expect(await handler({ source: 'aws.events' }, context)).toEqual({ result: 'ignored' });
      expect(responses.received).toHaveLength(2);
    } finally {
      if (before === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
      else process.env.POWERTOOLS_LOG_LEVEL = before;
    }
  });
});
