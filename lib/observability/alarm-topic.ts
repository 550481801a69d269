import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The platform's alarm topic: encrypted with the platform key (whose policy lets CloudWatch and
 * EventBridge of this account publish), and a topic policy that denies any request without TLS.
 */
export function createAlarmTopic(scope: Construct, id: string, encryptionKey: kms.IKey): sns.Topic {
  return new sns.Topic(scope, id, {
    displayName: 'Integration alarms',
    masterKey: encryptionKey,
    enforceSSL: true,
  });
}
