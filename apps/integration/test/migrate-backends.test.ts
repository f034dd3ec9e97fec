import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileAdapter } from '@stowage/adapter-file';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import {
  createStorage,
  importRecords,
  type MigrationProgress,
  migrate,
  type StowageAdapter,
} from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, unique, withPostgres } from './codecs-support.js';
import { generated, totals } from './migrate-support.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-migrate-backends-'));
const schema = unique('stowage_migrate');
const SESSIONS = 300;
const open: StowageAdapter[] = [];

function track<T extends StowageAdapter>(adapter: T): T {
  open.push(adapter);
  return adapter;
}
const sqlite = (name: string) =>
  track(sqliteAdapter({ path: join(dir, `${name}.db`), sweepIntervalMs: 0 }));
const postgres = (namespace: string) =>
  track(postgresAdapter({ connection: POSTGRES_URL, schema, namespace, sweepIntervalMs: 0 }));
const files = (name: string) => track(fileAdapter({ dir: join(dir, name), sweepIntervalMs: 0 }));

beforeAll(async () => {
  await importRecords(sqlite('origin'), generated(SESSIONS), { batchSize: 64 });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(open.map((a) => a.close()));
  rmSync(dir, { recursive: true, force: true });
  await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
});

describe('migrate between real backends', () => {
  it('sqlite -> postgres -> file -> sqlite keeps every session, message and kv entry exactly', async () => {
    const chain: [string, () => StowageAdapter][] = [
      ['postgres', () => postgres('hop')],
      ['file', () => files('hop')],
      ['sqlite', () => sqlite('end')],
    ];
    let from: StowageAdapter = sqlite('origin');
    const expected = await totals(from);
    expect(expected.sessions).toBe(SESSIONS);
    for (const [name, make] of chain) {
      const to = make();
      const events: MigrationProgress[] = [];
      const result = await migrate(from, to, {
        batchSize: 64,
        messageChunk: 2,
        verify: true,
        onProgress: (p) => events.push(p),
      });
      expect(
        result.verify?.ok,
        `${from.name} -> ${name}: ${JSON.stringify(result.verify?.problems)}`,
      ).toBe(true);
      expect(result).toMatchObject({
        sessions: SESSIONS,
        messages: expected.messages,
        kv: expected.kv,
      });
      expect(events.filter((e) => e.phase === 'sessions').at(-1)).toMatchObject({
        done: SESSIONS,
        total: SESSIONS,
      });
      from = to;
    }

    // Read both ends through storages: decoded data and every stored field agree.
    const first = createStorage(sqlite('origin'));
    const last = createStorage(sqlite('end'));
    const a = await first.sessions.list({ limit: 1000 });
    const b = await last.sessions.list({ limit: 1000 });
    expect(b.items).toEqual(a.items);
    for (const id of ['conv/000000', 'conv/000003', 'conv/000297']) {
      expect(await last.messages.range(id)).toEqual(await first.messages.range(id));
    }
    expect(await last.sessions.count({ labels: { userId: 'u3' }, state: 'archived' })).toBe(
      await first.sessions.count({ labels: { userId: 'u3' }, state: 'archived' }),
    );
    expect(await last.kv.increment('counter:visits')).toBe(43);
    await Promise.all([first.close(), last.close()]);
  });

  it('a resumed copy into postgres duplicates no messages', async () => {
    const controller = new AbortController();
    let batches = 0;
    const stopped = await migrate(sqlite('origin'), postgres('resume'), {
      batchSize: 40,
      signal: controller.signal,
      onProgress: () => {
        if (++batches === 2) controller.abort(new Error('stop'));
      },
    }).catch((error: unknown) => error);
    expect((stopped as Error).message).toBe('stop');
    const result = await migrate(sqlite('origin'), postgres('resume'), {
      batchSize: 40,
      resume: true,
      verify: true,
    });
    expect(result.resumed).toBe(true);
    expect(result.verify?.ok).toBe(true);
    expect(await totals(postgres('resume'))).toEqual(await totals(sqlite('origin')));
  });
});
