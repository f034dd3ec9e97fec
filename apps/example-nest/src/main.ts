import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { appModule } from './app-module.js';
import { readChatConfig } from './chat-config.js';

const { config, generatedSecret } = readChatConfig();
if (generatedSecret) {
  console.warn(
    'Warning: STOWAGE_SECRET is not set; using a random secret for this run, so sign-ins end ' +
      'when the server restarts. Set STOWAGE_SECRET to 32+ random characters to keep them.',
  );
}

const app = await NestFactory.create<NestExpressApplication>(appModule(config), {
  logger: ['error', 'warn'],
});
app.disable('x-powered-by');
// SIGINT/SIGTERM run the shutdown hooks, which close the storage StowageModule opened.
app.enableShutdownHooks();
const port = Number(process.env.PORT || 3001);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new Error(`PORT must be a number from 0 to 65535, got ${process.env.PORT}`);
}
await app.listen(port, '127.0.0.1');
const address = app.getHttpServer().address() as { port: number };
console.log(`Stowage example Nest chat listening on http://127.0.0.1:${address.port}`);
