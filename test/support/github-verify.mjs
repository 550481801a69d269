// Verifies X-Hub-Signature-256 values with GitHub's own webhook library (@octokit/webhooks-methods,
// ESM-only), for the CommonJS jest tests: `node github-verify.mjs <secret>` reads a JSON array of
// [payload, signature] pairs on stdin and prints a JSON array of booleans.
import { verify } from '@octokit/webhooks-methods';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const pairs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
process.stdout.write(JSON.stringify(await Promise.all(pairs.map(([payload, signature]) => verify(process.argv[2], payload, signature)))));
