#!/usr/bin/env node
// The package's command line (package.json `bin`): `cdk-secure-integrations inventory ...` and
// `cdk-secure-integrations redrive ...`.
// The logic lives in lib/inventory/cli.ts.
import { main } from '../lib/inventory/cli';

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
