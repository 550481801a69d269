// The credential provider the handlers' AWS SDK clients get in the bundles, in place of the SDK's
// default chain (@aws-sdk/credential-provider-node), which scripts/bundle-handlers.mjs points here.
//
// A Lambda function runs with its execution role's credentials in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, which the runtime sets
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
// and the default chain finds them first too. The rest of the chain (shared files, SSO, web
// identity, process, container and instance metadata, and the STS and SSO clients it carries) is
// about 120 KB of every bundle that a cold start parses and never uses.
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** The SDK's `credentialDefaultProvider`: the execution role's credentials from the environment. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): AwsCredentialIdentityProvider => fromEnv(init);
