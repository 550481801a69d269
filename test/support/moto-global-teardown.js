// Stops the moto_server started by moto-global-setup.js, by PID.
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

module.exports = async () => {
  const pid = globalThis.__MOTO_PID__;
  if (pid) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(join(tmpdir(), `cdk-si-moto-${process.pid}.pid`), { force: true });
};
