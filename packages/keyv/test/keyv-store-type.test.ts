import { createStorage, memoryAdapter } from '@stowage/core';
import type { KeyvStoreAdapter } from 'keyv';
import { expect, it } from 'vitest';
import { stowageKeyvStore } from '../src/index.js';

it('is assignable to the KeyvStoreAdapter type of Keyv 5', async () => {
  const storage = createStorage(memoryAdapter());
  const store: KeyvStoreAdapter = stowageKeyvStore(storage);
  expect(typeof store.iterator).toBe('function');
  await storage.close();
});
