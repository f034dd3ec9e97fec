import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, isStowageError, type Storage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAdapter } from '../src/index.js';
import { encodeName } from '../src/names.js';
import { randomNamespace, removeDir, tempDir } from './helpers.js';

/** Polls until `check` holds, failing after five seconds of real time. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 5_000) throw new Error(`${what} did not happen within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('queue files', () => {
  let dir = '';
  let namespace = '';
  let storage: Storage;
  beforeAll(async () => {
    dir = await tempDir('queues');
    namespace = randomNamespace();
    storage = createStorage(fileAdapter({ dir, namespace, sweepIntervalMs: 0 }));
  });
  afterAll(async () => {
    await storage.close();
    await removeDir(dir);
  });

  const queuePath = (name: string) => join(dir, namespace, 'queues', `${encodeName(name)}.json`);

  it('a queue lives in one checksummed file that is removed when its last job is acked', async () => {
    const queue = storage.queue('mail');
    await queue.enqueue({ to: 'ada' }, { id: 'j1' });
    const raw = await readFile(queuePath('mail'), 'utf8');
    expect(raw.startsWith('stowage-file-1 ')).toBe(true);
    expect(raw).toContain('"id":"j1"');
    const job = await queue.dequeue();
    await job?.ack();
    await expect(access(queuePath('mail'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a damaged queue file is a CorruptionError and is not overwritten', async () => {
    const queue = storage.queue('broken');
    await queue.enqueue('hello', { id: 'j1' });
    const damaged = (await readFile(queuePath('broken'), 'utf8')).replace('hello', 'jello');
    await writeFile(queuePath('broken'), damaged);
    const error = await queue.dequeue().catch((e: unknown) => e);
    expect(isStowageError(error, 'CORRUPTION')).toBe(true);
    const enqueueError = await queue.enqueue('more').catch((e: unknown) => e);
    expect(isStowageError(enqueueError, 'CORRUPTION')).toBe(true);
    expect(await readFile(queuePath('broken'), 'utf8')).toBe(damaged);
  });

  it('a job enqueued through one adapter instance is leased once across two instances', async () => {
    const other = createStorage(fileAdapter({ dir, namespace, sweepIntervalMs: 0 }));
    await storage.queue('shared').enqueue(1, { id: 'only' });
    const [a, b] = await Promise.all([
      storage.queue('shared').dequeue(),
      other.queue('shared').dequeue(),
    ]);
    expect([a, b].filter((job) => job !== null).map((job) => job?.id)).toEqual(['only']);
    await (a ?? b)?.ack();
    await other.close();
  });
});

describe('pub/sub scope', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir('pubsub');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('reaches storages on the same folder and namespace but not other namespaces', async () => {
    const namespace = randomNamespace();
    const publisher = createStorage(fileAdapter({ dir, namespace, sweepIntervalMs: 0 }));
    const sameStore = createStorage(fileAdapter({ dir, namespace, sweepIntervalMs: 0 }));
    const otherNamespace = createStorage(
      fileAdapter({ dir, namespace: randomNamespace(), sweepIntervalMs: 0 }),
    );
    const same: unknown[] = [];
    const other: unknown[] = [];
    const offs = [
      await sameStore.subscribe('news', (m) => {
        same.push(m);
      }),
      await otherNamespace.subscribe('news', (m) => {
        other.push(m);
      }),
      // A marker subscriber on the other namespace proves its delivery path works.
      await otherNamespace.subscribe('marker', (m) => {
        other.push(m);
      }),
    ];
    await publisher.publish('news', 'first');
    await otherNamespace.publish('marker', 'marker');
    await eventually(() => same.length === 1 && other.length === 1, 'delivery');
    expect(same).toEqual(['first']);
    expect(other).toEqual(['marker']);
    for (const off of offs) await off();
    await Promise.all([publisher.close(), sameStore.close(), otherNamespace.close()]);
  });
});
