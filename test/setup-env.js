// Unit tests synthesize with aws-cdk-lib's built-in CloudFormation validator off (3-6 s per synth);
// the template-validation test turns it on explicitly.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
