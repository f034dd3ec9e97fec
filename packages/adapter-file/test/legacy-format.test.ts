import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, type Storage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal, sealLine, unseal } from '../src/envelope.js';
import { fileAdapter } from '../src/index.js';
import { encodeName } from '../src/names.js';
import { removeDir, tempDir } from './helpers.js';

describe('a folder written before append frames (format 1)', () => {
  let dir = '';
  let storage: Storage;
  const sessionFile = (id: string) => join(dir, 'default', 'sessions', `${encodeName(id)}.json`);
  const folderOf = (id: string) => join(dir, 'default', 'messages', encodeName(id));
  beforeAll(async () => {
    dir = await tempDir('legacy');
    storage = createStorage(fileAdapter({ dir, sweepIntervalMs: 0 }));
  });
  afterAll(async () => {
    await storage.close();
    await removeDir(dir);
  });

  /**
   * Rewrites a session as the previous version stored it: a `stowage-file-1` file whose log
   * state commits `committed` plain message lines, plus an uncommitted line and a torn one.
   */
  async function writeFormat1(id: string, committed: unknown[], inc = 'a1b2c3d4e5f6a7b8') {
    await storage.sessions.save({ id, data: { title: 'old' } });
    const record = unseal(await readFile(sessionFile(id), 'utf8'), id) as Record<string, unknown>;
    const lines = committed.map((m) => sealLine(JSON.stringify(m))).join('');
    const log = { inc, seg: 0, count: committed.length, bytes: Buffer.byteLength(lines), total: 5 };
    await writeFile(sessionFile(id), seal({ ...record, log }));
    const uncommitted = `${sealLine(JSON.stringify({ n: 'never' }))}0123456789abcdef "{\\"n`;
    await mkdir(folderOf(id), { recursive: true });
    await writeFile(join(folderOf(id), 'log-0.jsonl'), lines + uncommitted);
  }

  it('reads its sessions and committed messages, never the uncommitted ones', async () => {
    await writeFormat1('old', [{ n: 1 }, { n: 2 }]);
    expect((await storage.sessions.get('old'))?.data).toEqual({ title: 'old' });
    expect(await storage.messages.range('old', 0, -1)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await storage.messages.length('old')).toBe(2);
  });

  it('switches a session to frames on its first append, cutting off the uncommitted bytes', async () => {
    await writeFormat1('moving', [{ n: 1 }, { n: 2 }]);
    expect(await storage.messages.append('moving', [{ n: 3 }, { n: 4 }])).toBe(4);
    expect(await storage.messages.range('moving', 0, -1)).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
      { n: 4 },
    ]);
    expect((await readFile(sessionFile('moving'), 'utf8')).startsWith('stowage-file-2 ')).toBe(
      true,
    );
    const log = await readFile(join(folderOf('moving'), 'log-0.jsonl'), 'utf8');
    // Two plain lines from before, then one frame for the append; nothing of the torn tail.
    expect(log.split('\n')).toHaveLength(4);
    expect(log).not.toContain('never');
    expect(await readdir(folderOf('moving'))).toEqual(['log-0.jsonl']);
  });

  it('honours an idempotency marker written by the previous version', async () => {
    await writeFormat1('keys', [{ n: 1 }], 'ffeeddccbbaa9988');
    await mkdir(join(folderOf('keys'), 'keys'), { recursive: true });
    // Format 1 markers name only the total their append reached (5 was committed).
    const marker = seal({ key: 'done', inc: 'ffeeddccbbaa9988', total: 5 });
    await writeFile(join(folderOf('keys'), 'keys', `${encodeName('done')}.json`), marker);
    expect(await storage.messages.append('keys', [{ n: 2 }], { idempotencyKey: 'done' })).toBe(1);
    expect(await storage.messages.append('keys', [{ n: 2 }], { idempotencyKey: 'new' })).toBe(2);
    expect(await storage.messages.append('keys', [{ n: 2 }], { idempotencyKey: 'new' })).toBe(2);
    expect(await storage.messages.range('keys', 0, -1)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
