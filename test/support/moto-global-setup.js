// Starts moto_server (Python moto, a real implementation of the AWS APIs) on 127.0.0.1 for the
// handler tests, and exposes its address as MOTO_ENDPOINT. Stopped by PID in moto-global-teardown.js.
// It runs through moto-server.py, moto's own server with one documented correction (see there).
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const net = require('node:net');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint, child, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer at ${endpoint} within ${deadlineMs} ms`);
}

module.exports = async () => {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', [join(__dirname, 'moto-server.py'), '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', detached: false });
  child.on('error', (e) => {
    throw new Error(`cannot start moto_server (python3 with moto must be on the PATH): ${e.message}`);
  });
  await waitUntilUp(endpoint, child, 30000);
  process.env.MOTO_ENDPOINT = endpoint;
  globalThis.__MOTO_PID__ = child.pid;
  writeFileSync(join(tmpdir(), `cdk-si-moto-${process.pid}.pid`), String(child.pid));
};
