// Who runs `redrive`: the caller identity STS answers for the credentials in use
// (@aws-sdk/client-sts is a dependency of this package). `--operator` adds a name the operator
// gives, recorded beside the ARN as given and not verified; it never replaces the ARN.
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';

/**
 * The caller's ARN from STS GetCallerIdentity (the standard credential chain; AWS_ENDPOINT_URL
 * honoured), with `config` added to the client's settings.
 * @throws the SDK's error when STS cannot be reached or refuses, and an Error when it names no ARN
 */
export async function stsCallerArn(region: string, config: STSClientConfig = {}): Promise<string> {
  const client = new STSClient({ region, ...config });
  try {
    const arn = (await client.send(new GetCallerIdentityCommand({}))).Arn;
    if (!arn) throw new Error('STS GetCallerIdentity answered without an ARN');
    return arn;
  } finally {
    client.destroy();
  }
}
