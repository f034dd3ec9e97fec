import type { AddressInfo } from 'node:net';
import { createStorage } from '@stowage/core';
import { createApp } from './app.js';
import { readConfig } from './config.js';

const config = readConfig();
if (config.generatedSecret) {
  console.warn(
    'Warning: STOWAGE_SECRET is not set; using a random secret for this run, so sign-ins end ' +
      'when the server restarts. Set STOWAGE_SECRET to 32+ random characters to keep them.',
  );
}

const storage = createStorage(config.url);
const app = createApp({ storage, secret: config.secret });
const server = app.listen(config.port, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Stowage example chat listening on http://127.0.0.1:${port}`);
  console.log(`Data: ${config.url.replace(/\/\/[^@/]*@/, '//***@')} (set STOWAGE_URL to change)`);
});
server.on('error', (error) => {
  console.error(error);
  process.exitCode = 1;
  void storage.close();
});

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing`);
  server.close();
  // Idle keep-alive connections would hold server.close() open until they time out.
  server.closeIdleConnections();
  storage.close().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
