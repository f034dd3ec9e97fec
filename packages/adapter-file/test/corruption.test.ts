import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, isStowageError, type Storage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAdapter } from '../src/index.js';
import { encodeName } from '../src/names.js';
import { removeDir, tempDir } from './helpers.js';

describe('damaged files', () => {
  let dir = '';
  let root = '';
  let storage: Storage;
  beforeAll(async () => {
    dir = await tempDir('corrupt');
    root = join(dir, 'default');
    storage = createStorage(fileAdapter({ dir, sweepIntervalMs: 0 }));
  });
  afterAll(async () => {
    await storage.close();
    await removeDir(dir);
  });

  const sessionPath = (id: string) => join(root, 'sessions', `${encodeName(id)}.json`);

  it('a session file with a flipped byte is a CorruptionError for that id only', async () => {
    await storage.sessions.save({ id: 'bad', data: { text: 'hello' }, labels: { group: 'g' } });
    await storage.sessions.save({ id: 'good', data: { text: 'world' }, labels: { group: 'g' } });
    const raw = await readFile(sessionPath('bad'), 'utf8');
    await writeFile(sessionPath('bad'), raw.replace('hello', 'jello'));
    const error = await storage.sessions.get('bad').catch((e: unknown) => e);
    expect(isStowageError(error, 'CORRUPTION')).toBe(true);
    expect((await storage.sessions.get('good'))?.data).toEqual({ text: 'world' });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const page = await storage.sessions.list({ labels: { group: 'g' } });
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(page.items.map((s) => s.id)).toEqual(['good']);
    expect(warnings.some((w) => w.includes(encodeName('bad')))).toBe(true);
    await expect(storage.sessions.save({ id: 'bad', data: 1 })).rejects.toMatchObject({
      code: 'CORRUPTION',
    });
    // Deleting is the way out: afterwards the id is usable again.
    expect(await storage.sessions.delete('bad')).toBe(true);
    expect((await storage.sessions.save({ id: 'bad', data: 2 })).version).toBe(1);
  });

  it('a truncated session file is a CorruptionError, not a crash or a null', async () => {
    await storage.sessions.save({ id: 'cut', data: { long: 'x'.repeat(100) } });
    const raw = await readFile(sessionPath('cut'), 'utf8');
    await writeFile(sessionPath('cut'), raw.slice(0, raw.length - 20));
    await expect(storage.sessions.get('cut')).rejects.toMatchObject({ code: 'CORRUPTION' });
  });

  it('a kv file with damaged content is a CorruptionError for that key only', async () => {
    await storage.kv.set('k1', { v: 1 });
    await storage.kv.set('k2', { v: 2 });
    const path = join(root, 'kv', `${encodeName('k1')}.json`);
    await writeFile(path, (await readFile(path, 'utf8')).replace('"v', '"w'));
    await expect(storage.kv.get('k1')).rejects.toMatchObject({ code: 'CORRUPTION' });
    expect(await storage.kv.get('k2')).toEqual({ v: 2 });
  });

  it('a torn last message line is never returned and the next append cuts it off', async () => {
    await storage.sessions.save({ id: 'chat', data: {} });
    await storage.messages.append('chat', [{ n: 1 }, { n: 2 }]);
    const folder = join(root, 'messages', encodeName('chat'));
    const [log] = (await readdir(folder)).filter((n) => n.endsWith('.jsonl'));
    // What a writer killed mid-append leaves: half a frame line, with no newline.
    await appendFile(join(folder, log as string), '0123456789abcdef {"n":3,"t":3,"at":1,"m":["{');
    expect(await storage.messages.range('chat', 0, -1)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await storage.messages.length('chat')).toBe(2);
    expect(await storage.messages.append('chat', [{ n: 4 }])).toBe(3);
    expect(await storage.messages.range('chat', 0, -1)).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
    // One frame line per append: the torn half line is gone.
    const text = await readFile(join(folder, log as string), 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('a tail zero-filled by a power loss is torn, not damage, and the next append cuts it off', async () => {
    await storage.sessions.save({ id: 'zeros', data: {} });
    await storage.messages.append('zeros', [{ n: 1 }]);
    const folder = join(root, 'messages', encodeName('zeros'));
    await appendFile(
      join(folder, 'log-0.jsonl'),
      Buffer.concat([Buffer.alloc(300), Buffer.from('\n')]),
    );
    expect(await storage.messages.length('zeros')).toBe(1);
    expect(await storage.messages.append('zeros', [{ n: 2 }])).toBe(2);
    expect(await storage.messages.range('zeros', 0, -1)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('a damaged committed message line is a CorruptionError, not a silent gap', async () => {
    await storage.sessions.save({ id: 'chat2', data: {} });
    await storage.messages.append('chat2', [{ text: 'abc' }]);
    await storage.messages.append('chat2', [{ text: 'def' }, { text: 'ghi' }]);
    const folder = join(root, 'messages', encodeName('chat2'));
    const [log] = (await readdir(folder)).filter((n) => n.endsWith('.jsonl'));
    const path = join(folder, log as string);
    await writeFile(path, (await readFile(path, 'utf8')).replace('abc', 'abd'));
    await expect(storage.messages.range('chat2', 0, -1)).rejects.toMatchObject({
      code: 'CORRUPTION',
    });
    // length reads only the last frame, which is intact.
    expect(await storage.messages.length('chat2')).toBe(3);
  });

  it('a damaged last frame is a CorruptionError that no append cuts off as torn', async () => {
    await storage.sessions.save({ id: 'chat3', data: {} });
    await storage.messages.append('chat3', [{ text: 'abc' }]);
    await storage.messages.append('chat3', [{ text: 'def' }]);
    const path = join(root, 'messages', encodeName('chat3'), 'log-0.jsonl');
    const damaged = (await readFile(path, 'utf8')).replace('def', 'deg');
    await writeFile(path, damaged);
    for (const call of [
      () => storage.messages.range('chat3', 0, -1),
      () => storage.messages.length('chat3'),
      () => storage.sessions.get('chat3'),
      () => storage.messages.append('chat3', [{ text: 'x' }]),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'CORRUPTION' });
    }
    expect(await readFile(path, 'utf8')).toBe(damaged);
  });
});
