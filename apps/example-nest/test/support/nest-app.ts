import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Storage } from '@stowage/core';
import { getStorageToken } from '@stowage/nest-module';
import { appModule } from '../../src/app-module.js';
import type { ChatConfig } from '../../src/chat-config.js';

/** A cookie-signing secret for tests. */
export const TEST_SECRET = 'nest-example-test-secret-0123456789-abcdefghij';

/** Builds and initialises the chat application for `config` (not listening: supertest drives it). */
export async function startChat(config: Omit<ChatConfig, 'secret'>): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [appModule({ ...config, secret: TEST_SECRET })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/**
 * Closes the application once the last request has handed back its session lock (released just
 * after each response), so no release runs into a storage that is already closed.
 */
export async function stopChat(app: INestApplication): Promise<void> {
  const storage = app.get<Storage>(getStorageToken());
  const deadline = Date.now() + 5000;
  while ((await storage.kv.keys({ prefix: 'express-session:lock:', limit: 1 })).items.length > 0) {
    if (Date.now() > deadline) throw new Error('session locks were not released within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await app.close();
}
