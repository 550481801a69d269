// Unit tests synthesize with aws-cdk-lib's built-in CloudFormation validator off (3-6 s per synth);
// the template-validation test turns it on explicitly.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';

// In CI the property tests (fast-check) draw from one fixed seed, so that a CI run is reproducible
// and a failure there comes from the change, not from the draw; every other run draws a seed of its
// own and keeps exploring (a failure prints its seed and path to replay).
if (process.env.CI === 'true') require('fast-check').configureGlobal({ seed: 20261202 });
