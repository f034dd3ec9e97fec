import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from '@stowage/core';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { finished, startScript } from './processes.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-sqlite-updates-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('4 processes x 50 concurrent updates of one session lose no increment', async () => {
  const path = join(dir, 'updates.db');
  const storage = createStorage(sqliteAdapter({ path, namespace: 'upd' }));
  await storage.sessions.save({ id: 'counter', data: { count: 0 } });
  const children = Array.from({ length: 4 }, () =>
    finished(startScript('./update-worker.mjs', [path, 'upd', 'counter', '50'])),
  );
  const outputs = await Promise.all(children);
  expect(outputs).toEqual(['done\n', 'done\n', 'done\n', 'done\n']);
  const final = await storage.sessions.get<{ count: number }>('counter');
  expect(final?.data.count).toBe(200);
  expect(final?.version).toBe(201);
  await storage.close();
}, 60_000);
