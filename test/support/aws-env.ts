/** The moto_server endpoint started by the jest global setup. */
export function motoEndpoint(): string {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run the tests through jest (test/support/moto-global-setup.js)');
  return endpoint;
}

/** SDK client settings for moto: endpoint, region and dummy credentials. */
export function motoClientConfig() {
  return { endpoint: motoEndpoint(), region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}

/** A name unique to this test run, so tests sharing one moto server never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
