import { afterEach, describe, expect, it } from 'vitest';
import {
  exportRecords,
  importRecords,
  type MigrationRecord,
  ValidationError,
} from '../src/index.js';
import { seed, sides } from './migrate-helpers.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function collect(records: AsyncIterable<MigrationRecord>): Promise<MigrationRecord[]> {
  const all: MigrationRecord[] = [];
  for await (const r of records) all.push(r);
  return all;
}

describe('exportRecords / importRecords', () => {
  it('streams each session followed by its messages in chunks, then kv entries', async () => {
    const s = sides();
    cleanup = s.close;
    await seed(s.from.storage, s.clock, 4);
    const records = await collect(
      exportRecords(s.from.adapter, { batchSize: 2, messageChunk: 1, clock: s.clock }),
    );
    const shape = records.map((r) =>
      r.kind === 'session'
        ? `s:${r.session.id}`
        : r.kind === 'messages'
          ? `m:${r.id}@${r.offset}`
          : `k:${r.entry.key}`,
    );
    expect(shape).toEqual([
      's:s-0000',
      'm:s-0000@0',
      's:s-0001',
      's:s-0002',
      's:s-0003',
      'm:s-0003@0',
      'm:s-0003@1',
      'm:s-0003@2',
      'm:s-0003@3',
      'k:counter',
      'k:k-0',
      'k:k-1',
    ]);
  });

  it('imports an export exactly, and importing it twice changes nothing', async () => {
    const { clock, from, to, close } = sides();
    cleanup = close;
    await seed(from.storage, clock, 15);
    const records = await collect(exportRecords(from.adapter, { clock }));
    const first = await importRecords(to.adapter, records, { batchSize: 4, clock });
    expect(first).toEqual({ sessions: 15, messages: 17, kv: 9, expired: 0 });
    await importRecords(to.adapter, records, { batchSize: 4, clock });
    expect((await to.storage.sessions.list({ limit: 100 })).items).toEqual(
      (await from.storage.sessions.list({ limit: 100 })).items,
    );
    expect(await to.storage.messages.range('s-0012')).toEqual(
      await from.storage.messages.range('s-0012'),
    );
  });

  it('refuses malformed records with a ValidationError', async () => {
    const { clock, to, close } = sides();
    cleanup = close;
    const session = {
      id: 'a',
      data: '{}',
      state: 'active',
      labels: {},
      version: 1,
      createdAt: clock.now(),
      updatedAt: clock.now(),
      expiresAt: null,
      maxExpiresAt: null,
    };
    const bad: MigrationRecord[][] = [
      [{ kind: 'messages', id: 'a', offset: 0, items: ['1'] }],
      [
        { kind: 'session', session },
        { kind: 'messages', id: 'a', offset: 0, items: ['{oops'] },
      ],
      [{ kind: 'session', session: { ...session, version: -1 } }],
      [{ kind: 'kv', entry: { key: '', value: '1', expiresAt: null } }],
      [{ kind: 'nonsense' } as unknown as MigrationRecord],
    ];
    for (const records of bad) {
      await expect(importRecords(to.adapter, records, { clock })).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await to.storage.sessions.count()).toBe(0);
  });
});
