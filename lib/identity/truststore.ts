import { existsSync, readFileSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { Token } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { IntegrationConfigError } from '../core/errors';

/**
 * What API Gateway accepts in a mutual TLS truststore: PEM-encoded X.509 CA certificates with RSA
 * keys of 2048 to 4096 bits or ECDSA keys on P-256 or P-384, at most 1,000 certificates.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html#rest-api-mutual-tls-configure-truststore
 */
export const TRUSTSTORE_MAX_CERTIFICATES = 1_000;
/**
 * The largest truststore the library writes to its bucket at deploy: the PEM travels in the custom
 * resource's properties, inside the template (CloudFormation's 1 MB). A larger truststore goes in
 * a bucket of the user's with {@link Truststore.fromS3Object}.
 */
export const TRUSTSTORE_INLINE_MAX_BYTES = 100 * 1024;
const RSA_BITS = { min: 2048, max: 4096 };
const EC_CURVES = new Set(['prime256v1', 'secp384r1']);
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
/** The longest chain API Gateway follows from a client certificate's issuer to a root. */
export const TRUSTSTORE_MAX_CHAIN_DEPTH = 4;
/** DER of the signature algorithm OIDs weaker than SHA-256: md5WithRSA, sha1WithRSA, ecdsa-with-SHA1, dsa-with-sha1. */
const WEAK_SIGNATURE_OIDS: Array<[string, Buffer]> = [
  ['MD5 with RSA', Buffer.from('06092a864886f70d010104', 'hex')],
  ['SHA-1 with RSA', Buffer.from('06092a864886f70d010105', 'hex')],
  ['ECDSA with SHA-1', Buffer.from('06072a8648ce3d0401', 'hex')],
  ['DSA with SHA-1', Buffer.from('06072a8648ce380403', 'hex')],
];
const DAY_MS = 86_400_000;

/** A certificate of a checked truststore, as the library reports it. */
export interface TruststoreCertificate {
  /** The subject (`CN=...`, one attribute per line as Node.js prints it, joined with `, `). */
  readonly subject: string;
  /** When it expires, ISO 8601. */
  readonly notAfter: string;
}

/** A truststore as the platform uses it. */
export type TruststoreSource =
  | { readonly kind: 'pem'; readonly pem: string; readonly certificates: TruststoreCertificate[] }
  | { readonly kind: 's3'; readonly bucket: s3.IBucket; readonly key: string; readonly version: string };

/** A truststore object in S3, for {@link Truststore.fromS3Object}. */
export interface TruststoreS3ObjectProps {
  /** The versioned bucket that holds it, in the platform's region. */
  readonly bucket: s3.IBucket;
  /** The object's key (not an `s3://` URL). */
  readonly key: string;
  /** The object version API Gateway pins. */
  readonly version: string;
}

/** Where a mutual TLS truststore of an `Auth.mutualTls` route is. Choose one with a static factory. */
export abstract class Truststore {
  /**
   * A PEM file of CA certificates (the roots and intermediates that issue the partners' client
   * certificates), checked at synth and written at deploy to a bucket of the platform's: encrypted
   * with the platform key, versioned, TLS-only, access-logged, public access blocked. The
   * domain pins the version written, so a changed file takes effect on the next deploy.
   * @param path the file, relative to the working directory of `cdk synth`
   * @throws IntegrationConfigError (at bind) when the file is missing, larger than 100 KB, holds
   *   no certificate, a certificate that is not a CA, expired, or with a key API Gateway refuses
   */
  public static fromPemFile(path: string): Truststore {
    return new PemFileTruststore(path);
  }

  /**
   * A truststore object already in a versioned S3 bucket of the same region: for truststores over
   * 100 KB, or ones another team manages. The bucket's controls are its owner's. The version is
   * required: API Gateway pins it, and the deployer (the CloudFormation role) must be allowed to
   * read it.
   * @throws IntegrationConfigError (at bind) when the key or version is empty
   */
  public static fromS3Object(props: TruststoreS3ObjectProps): Truststore {
    return new S3ObjectTruststore(props.bucket, props.key, props.version);
  }

  /**
   * The truststore, checked.
   * @internal
   */
  public abstract _bind(owner: string, prop: string, now: Date): TruststoreSource;
}

class PemFileTruststore extends Truststore {
  constructor(private readonly path: string) {
    super();
  }

  public _bind(owner: string, prop: string, now: Date): TruststoreSource {
    const path = this.path;
    if (typeof path !== 'string' || !existsSync(path) || !statSync(path).isFile()) {
      throw new IntegrationConfigError(owner, prop, path, 'Give the path of a PEM file of the CA certificates that issue your partners\' client certificates, for example Truststore.fromPemFile(\'certs/partners-ca.pem\'), or an S3 object with Truststore.fromS3Object({ bucket, key, version }).');
    }
    const bytes = statSync(path).size;
    if (bytes > TRUSTSTORE_INLINE_MAX_BYTES) {
      throw new IntegrationConfigError(owner, prop, `${path} (${bytes} bytes)`, `A truststore the library writes travels in the template and may hold ${TRUSTSTORE_INLINE_MAX_BYTES} bytes; put a larger one in a versioned bucket and use Truststore.fromS3Object({ bucket, key, version }).`);
    }
    const checked = checkTruststorePem(owner, prop, path, readFileSync(path, 'utf8'), now);
    // Only the certificates as checked are written: nothing else of the file reaches the template or the bucket.
    return { kind: 'pem', pem: checked.pem, certificates: checked.certificates };
  }
}

class S3ObjectTruststore extends Truststore {
  constructor(
    private readonly bucket: s3.IBucket,
    private readonly key: string,
    private readonly version: string,
  ) {
    super();
  }

  public _bind(owner: string, prop: string): TruststoreSource {
    if (!this.bucket || typeof this.bucket.bucketName !== 'string') {
      throw new IntegrationConfigError(owner, `${prop}.bucket`, this.bucket, 'Give the S3 bucket (s3.Bucket.fromBucketName(this, \'Truststores\', \'my-truststores\')) that holds the truststore object.');
    }
    if (typeof this.key !== 'string' || (!Token.isUnresolved(this.key) && (this.key.length === 0 || this.key.startsWith('s3://') || this.key.startsWith('/')))) {
      throw new IntegrationConfigError(owner, `${prop}.key`, this.key, 'Give the object\'s key inside the bucket, without s3:// or a leading slash, for example \'mtls/partners.pem\'.');
    }
    if (typeof this.version !== 'string' || this.version.length === 0) {
      throw new IntegrationConfigError(owner, `${prop}.version`, this.version, 'Give the object version to pin (aws s3api list-object-versions): the bucket must be versioned, and a new truststore takes effect when the version changes here.');
    }
    return { kind: 's3', bucket: this.bucket, key: this.key, version: this.version };
  }
}

/**
 * Checks a truststore's PEM as API Gateway reads it: X.509 CA certificates only (no key, no other
 * block, no text between them), none duplicated, none expired or not yet valid, signed with SHA-256
 * or stronger, with keys API Gateway accepts, and every chain complete (each CA's issuer in the file)
 * and at most four certificates deep.
 * @returns the certificates in file order, and the PEM of exactly those certificates
 * @throws IntegrationConfigError naming the certificate and the fix
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html
 */
export function checkTruststorePem(owner: string, prop: string, source: string, text: string, now: Date): { pem: string; certificates: TruststoreCertificate[] } {
  const fix = (what: string) => new IntegrationConfigError(owner, prop, source, what);
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const outside = blocks.reduce((rest, b) => rest.replace(b[0], ''), text).trim();
  for (const block of blocks) {
    if (block[1].includes('PRIVATE KEY')) throw fix('The file holds a private key: never put a key in a truststore (it would be written into the template and the bucket). Keep only the CA certificates.');
    if (block[1] !== 'CERTIFICATE') throw fix(`The file holds a "${block[1]}" block; a truststore holds only "CERTIFICATE" blocks (the CA certificates, PEM-encoded).`);
  }
  if (outside.length > 0) throw fix(`The file holds text outside its certificates ("${outside.slice(0, 40)}..."): keep only the PEM blocks, for example with openssl x509 -in <file> per certificate.`);
  if (blocks.length === 0) throw fix('The file holds no PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----); a truststore is the CA certificates that issue your partners\' client certificates.');
  if (blocks.length > TRUSTSTORE_MAX_CERTIFICATES) throw fix(`The truststore holds ${blocks.length} certificates; API Gateway accepts ${TRUSTSTORE_MAX_CERTIFICATES}.`);
  const certs = blocks.map((block, i) => {
    try {
      return new X509Certificate(block[0]);
    } catch (error) {
      throw fix(`Certificate ${i + 1} is not a valid X.509 certificate (${(error as Error).message}).`);
    }
  });
  const nameOf = (i: number) => `certificate ${i + 1} (${certs[i].subject.split('\n').join(', ')})`;
  const fingerprints = new Map<string, number>();
  certs.forEach((cert, i) => {
    const name = nameOf(i);
    const first = fingerprints.get(cert.fingerprint256);
    if (first !== undefined) throw fix(`${name} is a copy of certificate ${first + 1}: list each CA once.`);
    fingerprints.set(cert.fingerprint256, i);
    if (!cert.ca) throw fix(`${name} is not a CA certificate (basicConstraints CA:TRUE): put the CAs that issue client certificates in the truststore, never the client certificates themselves.`);
    const notAfter = new Date(cert.validTo);
    if (notAfter.getTime() <= now.getTime()) throw fix(`${name} expired on ${notAfter.toISOString()}: clients it issued can no longer connect. Replace it with the CA's current certificate.`);
    const notBefore = new Date(cert.validFrom);
    if (notBefore.getTime() > now.getTime()) throw fix(`${name} is not valid before ${notBefore.toISOString()}: API Gateway would reject its clients until then.`);
    const weak = WEAK_SIGNATURE_OIDS.find(([, oid]) => cert.raw.includes(oid));
    if (weak) throw fix(`${name} is signed with ${weak[0]}; API Gateway requires SHA-256 or stronger. Ask the CA for a certificate signed with SHA-256.`);
    const key = cert.publicKey;
    const details = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === 'rsa') {
      const bits = details.modulusLength ?? 0;
      if (bits < RSA_BITS.min || bits > RSA_BITS.max) throw fix(`${name} has an RSA key of ${bits} bits; API Gateway accepts RSA keys of ${RSA_BITS.min} to ${RSA_BITS.max} bits.`);
    } else if (key.asymmetricKeyType === 'ec') {
      if (!EC_CURVES.has(details.namedCurve ?? '')) throw fix(`${name} has an ECDSA key on ${details.namedCurve}; API Gateway accepts P-256 and P-384.`);
    } else {
      throw fix(`${name} has a ${key.asymmetricKeyType} key; API Gateway accepts RSA (2048 to 4096 bits) and ECDSA (P-256, P-384).`);
    }
  });
  // Every chain complete and at most TRUSTSTORE_MAX_CHAIN_DEPTH deep: walk each CA's issuers to a self-signed root.
  const issuerOf = (i: number): number => certs.findIndex((c, j) => j !== i && certs[i].checkIssued(c) && certs[i].verify(c.publicKey));
  const selfSigned = (i: number) => certs[i].checkIssued(certs[i]) && certs[i].verify(certs[i].publicKey);
  certs.forEach((_, i) => {
    let at = i;
    for (let depth = 1; !selfSigned(at); depth++) {
      const up = issuerOf(at);
      if (up < 0) throw fix(`${nameOf(at)} was issued by ${certs[at].issuer.split('\n').join(', ')}, which is not in the file: API Gateway needs every chain complete, from each issuing CA up to its root.`);
      if (depth >= TRUSTSTORE_MAX_CHAIN_DEPTH) throw fix(`The chain above ${nameOf(i)} is longer than ${TRUSTSTORE_MAX_CHAIN_DEPTH} certificates, the most API Gateway follows.`);
      at = up;
    }
  });
  const certificates = certs.map((cert, i) => ({ subject: certs[i].subject.split('\n').join(', '), notAfter: new Date(cert.validTo).toISOString() }));
  return { pem: certs.map((c) => c.toString().trim()).join('\n') + '\n', certificates };
}

/** The certificates of a truststore that expire within `days` of `now`. */
export function expiringSoon(certificates: TruststoreCertificate[], now: Date, days: number): TruststoreCertificate[] {
  return certificates.filter((c) => new Date(c.notAfter).getTime() - now.getTime() < days * DAY_MS);
}
