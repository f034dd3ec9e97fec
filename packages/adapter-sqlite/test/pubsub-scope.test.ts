import { join } from 'node:path';
import { createStorage, type Storage } from '@stowage/core';
import { afterAll, expect, test } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('pubsub-scope');
const opened: Storage[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  tmp.cleanup();
});

function open(path: string, namespace = 'stowage'): Storage {
  const storage = createStorage(sqliteAdapter({ path, namespace, sweepIntervalMs: 0 }));
  opened.push(storage);
  return storage;
}

/** Subscribes and collects messages; `next(n)` resolves once `n` messages have arrived. */
async function collect(storage: Storage, channel: string) {
  const got: unknown[] = [];
  let wake = (): void => {};
  await storage.subscribe(channel, (message) => {
    got.push(message);
    wake();
  });
  const next = (n: number): Promise<unknown[]> =>
    new Promise((resolve) => {
      wake = () => {
        if (got.length >= n) resolve(got);
      };
      wake();
    });
  return { next };
}

test('storages on one file reach each other even when the path is spelled differently', async () => {
  const path = tmp.path('shared.db');
  const a = open(path);
  const b = open(join(path, '..', '.', 'shared.db'));
  const inbox = await collect(b, 'news');
  await a.publish('news', { n: 1 });
  expect(await inbox.next(1)).toEqual([{ n: 1 }]);
});

test('a message published under another namespace of the same file is not delivered', async () => {
  const path = tmp.path('namespaces.db');
  const mine = open(path, 'mine');
  const other = open(path, 'other');
  const inbox = await collect(mine, 'news');
  await other.publish('news', 'elsewhere');
  // Delivery is in publish order, so had the first message crossed over it would arrive first.
  await mine.publish('news', 'here');
  expect(await inbox.next(1)).toEqual(['here']);
});

test('two private in-memory databases never share messages', async () => {
  const first = open(':memory:');
  const second = open(':memory:');
  const inbox = await collect(first, 'news');
  await second.publish('news', 'elsewhere');
  await first.publish('news', 'here');
  expect(await inbox.next(1)).toEqual(['here']);
});
