import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, type Storage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../src/envelope.js';
import { fileAdapter } from '../src/index.js';
import { encodeName } from '../src/names.js';
import { removeDir, tempDir } from './helpers.js';

describe('message logs on disk', () => {
  let dir = '';
  let storage: Storage;
  const folderOf = (id: string) => join(dir, 'default', 'messages', encodeName(id));
  const sessionFile = (id: string) => join(dir, 'default', 'sessions', `${encodeName(id)}.json`);
  beforeAll(async () => {
    dir = await tempDir('messages');
    storage = createStorage(fileAdapter({ dir, sweepIntervalMs: 0, durability: 'none' }));
  });
  afterAll(async () => {
    await storage.close();
    await removeDir(dir);
  });

  it('append never reads earlier lines and keeps the session file the same size', async () => {
    await storage.sessions.save({ id: 'long', data: {} });
    await storage.messages.append('long', [{ n: 0 }]);
    const sizeAfterOne = (await stat(sessionFile('long'))).size;
    for (let n = 1; n < 300; n++) await storage.messages.append('long', [{ n }]);
    // Damage the first (committed) line: an append that read the log would fail here.
    const log = join(folderOf('long'), 'log-0.jsonl');
    const text = await readFile(log, 'utf8');
    await writeFile(log, `0000000000000000${text.slice(16)}`);
    expect(await storage.messages.append('long', [{ n: 300 }])).toBe(301);
    expect(await storage.messages.length('long')).toBe(301);
    // Only the log grows; the per-session bookkeeping stays a fixed size.
    expect((await stat(sessionFile('long'))).size - sizeAfterOne).toBeLessThan(8);
  });

  it('trim rewrites the log into a new segment and removes the old one', async () => {
    await storage.sessions.save({ id: 'trim', data: {} });
    await storage.messages.append('trim', [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(await storage.messages.trim('trim', { keepLast: 2 })).toBe(2);
    expect(await readdir(folderOf('trim'))).toEqual(['log-1.jsonl']);
    expect(await storage.messages.range('trim', 0, -1)).toEqual([{ n: 3 }, { n: 4 }]);
    expect(await storage.messages.append('trim', [{ n: 5 }])).toBe(3);
    expect(await storage.messages.range('trim', -2, -1)).toEqual([{ n: 4 }, { n: 5 }]);
  });

  it('an idempotency marker left by an append that never committed does not block the retry', async () => {
    await storage.sessions.save({ id: 'idem', data: {} });
    expect(await storage.messages.append('idem', [{ n: 1 }], { idempotencyKey: 'a' })).toBe(1);
    expect(await storage.messages.append('idem', [{ n: 1 }], { idempotencyKey: 'a' })).toBe(1);
    const raw = await readFile(sessionFile('idem'), 'utf8');
    const inc = (JSON.parse(raw.slice(raw.indexOf('\n') + 1)) as { log: { inc: string } }).log.inc;
    // What a crash between writing the marker and committing the append leaves behind.
    await writeFile(
      join(folderOf('idem'), 'keys', `${encodeName('b')}.json`),
      seal({ key: 'b', inc, total: 2 }),
    );
    expect(await storage.messages.append('idem', [{ n: 2 }], { idempotencyKey: 'b' })).toBe(2);
    expect(await storage.messages.append('idem', [{ n: 2 }], { idempotencyKey: 'b' })).toBe(2);
    expect(await storage.messages.range('idem', 0, -1)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('a marker whose append never committed does not count once another append reaches its total', async () => {
    await storage.sessions.save({ id: 'idem2', data: {} });
    expect(await storage.messages.append('idem2', [{ n: 1 }])).toBe(1);
    const raw = await readFile(sessionFile('idem2'), 'utf8');
    const inc = (JSON.parse(raw.slice(raw.indexOf('\n') + 1)) as { log: { inc: string } }).log.inc;
    const end = (await stat(join(folderOf('idem2'), 'log-0.jsonl'))).size;
    // A crash after recording key 'b' for a frame at `end`, before the frame was written.
    await mkdir(join(folderOf('idem2'), 'keys'), { recursive: true });
    await writeFile(
      join(folderOf('idem2'), 'keys', `${encodeName('b')}.json`),
      seal({ key: 'b', inc, total: 2, seg: 0, pos: end, sum: '0123456789abcdef' }),
    );
    // Another writer's append takes that place and reaches the marker's total.
    expect(await storage.messages.append('idem2', [{ n: 2 }])).toBe(2);
    // The retry is not mistaken for applied: its frame is not the one at that place.
    expect(await storage.messages.append('idem2', [{ n: 3 }], { idempotencyKey: 'b' })).toBe(3);
    expect(await storage.messages.append('idem2', [{ n: 3 }], { idempotencyKey: 'b' })).toBe(3);
    expect(await storage.messages.range('idem2', 0, -1)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('a session re-created under the same id starts with no messages and fresh keys', async () => {
    await storage.sessions.save({ id: 'again', data: {} });
    await storage.messages.append('again', [{ n: 1 }], { idempotencyKey: 'k' });
    await storage.sessions.delete('again');
    await storage.sessions.save({ id: 'again', data: {} });
    expect(await storage.messages.length('again')).toBe(0);
    expect(await storage.messages.append('again', [{ n: 2 }], { idempotencyKey: 'k' })).toBe(1);
  });
});
