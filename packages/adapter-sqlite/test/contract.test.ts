import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendInspector } from '@stowage/contract-tests/vitest';
import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { systemClock } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { sqliteAdapter } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-sqlite-contract-'));
const path = join(dir, 'contract.db');
const namespace = `c_${randomBytes(4).toString('hex')}`;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// The inspector reads the file through its own read-only connection, so it sees only what was
// really committed, including expired rows the sweeper has not removed yet.
async function inspect(): Promise<BackendInspector> {
  // The suite builds the inspector before the first call opens the file, so create it here.
  const setup = sqliteAdapter({ path, namespace, sweepIntervalMs: 0 });
  await setup.open?.({ clock: systemClock, timeoutMs: 5000 });
  await setup.close();
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const one = (sql: string, value: string): number => db.prepare(sql).pluck().get(value) as number;
  return {
    async sessionExists(id) {
      return one(`SELECT count(*) FROM ${namespace}_sessions WHERE id = ?`, id) > 0;
    },
    async messageCount(sessionId) {
      return one(`SELECT count(*) FROM ${namespace}_messages WHERE session_id = ?`, sessionId);
    },
    async kvExists(key) {
      return one(`SELECT count(*) FROM ${namespace}_kv WHERE key = ?`, key) > 0;
    },
    async rawSession(id) {
      return db.prepare(`SELECT data FROM ${namespace}_sessions WHERE id = ?`).pluck().get(id) as
        | string
        | undefined;
    },
    async close() {
      db.close();
    },
  };
}

describeAdapterContract({
  name: 'sqlite',
  create: () => sqliteAdapter({ path, namespace }),
  inspect,
});
