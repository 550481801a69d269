// Who runs `redrive`: the caller identity STS answers for the credentials in use. The package
// does not depend on @aws-sdk/client-sts; it is used when installed beside it, and otherwise the
// CLI asks for --operator (recorded as given, not verified).

interface StsModule {
  STSClient: new (config: object) => { send(command: unknown): Promise<{ Arn?: string }>; destroy(): void };
  GetCallerIdentityCommand: new (input: object) => unknown;
}

/**
 * The caller's ARN from STS GetCallerIdentity, or undefined when `@aws-sdk/client-sts` is not
 * installed (it is not a dependency of this package: install it beside it, or use --operator).
 */
export async function stsCallerArn(region: string, moduleName = '@aws-sdk/client-sts'): Promise<string | undefined> {
  let sts: StsModule;
  try {
    sts = (await import(moduleName)) as StsModule;
  } catch (error) {
    if (['MODULE_NOT_FOUND', 'ERR_MODULE_NOT_FOUND'].includes((error as { code?: string }).code ?? '')) return undefined;
    throw error;
  }
  const client = new sts.STSClient({ region });
  try {
    return (await client.send(new sts.GetCallerIdentityCommand({}))).Arn;
  } finally {
    client.destroy();
  }
}
