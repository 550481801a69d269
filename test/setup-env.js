// Unit tests synthesize with aws-cdk-lib's built-in CloudFormation validator off (3-6 s per synth);
// the template-validation test turns it on explicitly.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';

// In CI the property tests (fast-check) draw from one fixed seed, so that a CI run is reproducible
// and a failure there comes from the change, not from the draw; every other run draws a seed of its
// own and keeps exploring (a failure prints its seed and path to replay).
if (process.env.CI === 'true') require('fast-check').configureGlobal({ seed: 20261202 });

// The AWS SDK warns once per process that its releases after the first week of January 2027 need
// Node.js 22. The locked SDK runs on Node.js 20 (the Node.js of CI and of `engines`); README says
// when the range moves. Silenced here so that a test's output shows its own warnings only.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true';
