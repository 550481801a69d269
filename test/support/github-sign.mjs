// Signs payloads with GitHub's own webhook signing library (@octokit/webhooks-methods, ESM-only),
// for the CommonJS jest tests: `node github-sign.mjs <secret>` reads a JSON array of payload strings
// on stdin and prints a JSON array of X-Hub-Signature-256 header values.
import { sign } from '@octokit/webhooks-methods';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const payloads = JSON.parse(Buffer.concat(chunks).toString('utf8'));
process.stdout.write(JSON.stringify(await Promise.all(payloads.map((p) => sign(process.argv[2], p)))));
