import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { createStorage, memoryAdapter, type Storage } from '@stowage/core';
import Keyv from 'keyv';
import * as vitest from 'vitest';
import { stowageKeyvStore } from '../src/index.js';

const { afterAll, describe } = vitest;

// Keyv's published conformance suite, run unchanged over each backend.
describe('@keyv/test-suite over the memory adapter', () => {
  const storage = createStorage(memoryAdapter());
  afterAll(() => storage.close());
  const store = () => stowageKeyvStore(storage);
  keyvTestSuite(vitest, Keyv, store);
  keyvIteratorTests(vitest, Keyv, store);
});

describe('@keyv/test-suite over the SQLite adapter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-keyv-'));
  const storage: Storage = createStorage(sqliteAdapter({ path: join(dir, 'keyv.db') }));
  afterAll(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = () => stowageKeyvStore(storage);
  keyvTestSuite(vitest, Keyv, store);
  keyvIteratorTests(vitest, Keyv, store);
});
