import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import {
  CHECKPOINT_KEY,
  ConfigError,
  createStorage,
  memoryAdapter,
  migrate,
  type StowageAdapter,
} from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceId } from '../src/source-id.js';
import { runBin } from './run-bin.js';
import { type Seeded, seedSqlite } from './seed.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-cli-resume-'));
const sourcePath = join(dir, 'source.db');
const otherPath = join(dir, 'other.db');
let seeded: Seeded;

beforeAll(async () => {
  seeded = await seedSqlite(sourcePath, 60);
  await seedSqlite(otherPath, 10);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a copy as `stowage migrate` would, and stops it after its first batch of 10. */
async function interruptedCopy(target: string): Promise<void> {
  const from = sqliteAdapter({ path: sourcePath });
  const to = sqliteAdapter({ path: target });
  const controller = new AbortController();
  const stopped = await migrate(from, to, {
    batchSize: 10,
    source: sourceId(`sqlite:${sourcePath}`, {}),
    signal: controller.signal,
    onProgress: () => controller.abort(new Error('crash')),
  }).catch((error: unknown) => error);
  expect((stopped as Error).message).toBe('crash');
  await Promise.all([from.close(), to.close()]);
}

async function checkpointOf(path: string): Promise<{ source: string } | undefined> {
  const storage = createStorage(sqliteAdapter({ path }));
  const text = await storage.kv.get(CHECKPOINT_KEY);
  await storage.close();
  return text as { source: string } | undefined;
}

describe('stowage migrate --resume checks the source', () => {
  it('refuses a checkpoint left by a copy from another source: exit 2, target untouched', async () => {
    const target = join(dir, 'target-a.db');
    await interruptedCopy(target);
    const before = await checkpointOf(target);
    expect(before?.source).toBe(`sqlite:${sourcePath}`);

    const r = await runBin(['migrate', `sqlite:${otherPath}`, `sqlite:${target}`, '--resume']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('[CONFIG]');
    expect(r.stderr).toContain(
      `Cannot resume: the checkpoint in the target was left by a copy from "sqlite:${sourcePath}"`,
    );
    expect(r.stderr).toContain(`this copy reads from "sqlite:${otherPath}"`);
    expect(await checkpointOf(target)).toEqual(before);

    // A different namespace of the same file is another source too.
    const ns = await runBin([
      'migrate',
      `sqlite:${sourcePath}`,
      `sqlite:${target}`,
      '--resume',
      '--namespace',
      'other',
      '--to-namespace',
      'stowage',
    ]);
    expect(ns.code, ns.stderr).toBe(2);
    expect(ns.stderr).toContain(`this copy reads from "sqlite:${sourcePath} namespace=other"`);
  });

  it('resumes from the same source, named by a relative path from another folder', async () => {
    const target = join(dir, 'target-b.db');
    await interruptedCopy(target);
    const r = await runBin(
      ['migrate', 'sqlite:./source.db', `sqlite:${target}`, '--resume', '--verify', '--json'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      resumed: true,
      sessions: seeded.sessions,
      kv: seeded.kv,
      verify: { ok: true },
    });
    expect(await checkpointOf(target)).toBeUndefined();
  });

  it('without --resume, copies from any source and replaces the checkpoint', async () => {
    const target = join(dir, 'target-c.db');
    await interruptedCopy(target);
    const r = await runBin(['migrate', `sqlite:${otherPath}`, `sqlite:${target}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(await checkpointOf(target)).toBeUndefined();
  });
});

describe('sourceId', () => {
  it('never holds credentials and makes local paths absolute', () => {
    const id = sourceId(
      'postgres://app:Sup3r-s3cret@db.internal:5432/app?sslmode=require&password=x2',
      {
        schema: 'chat',
      },
    );
    expect(id).toBe('postgres://db.internal:5432/app?sslmode=require schema=chat');
    expect(sourceId('redis://:pw-123@127.0.0.1:6379/2', { namespace: 'n' })).toBe(
      'redis://127.0.0.1:6379/2 namespace=n',
    );
    expect(sourceId('sqlite:./a.db', {})).toBe(`sqlite:${join(process.cwd(), 'a.db')}`);
    expect(sourceId('file:data', {})).toBe(`file:${join(process.cwd(), 'data')}`);
  });
});

describe('migrate() (core) source checks', () => {
  function pair(): { from: StowageAdapter; to: StowageAdapter; close(): Promise<void> } {
    const from = memoryAdapter();
    const to = memoryAdapter();
    return { from, to, close: async () => void (await Promise.all([from.close(), to.close()])) };
  }

  it('masks a password given in source before storing it', async () => {
    const { from, to, close } = pair();
    // Not `seed`: closing its storage would close (and empty) the memory adapter.
    const storage = createStorage(from);
    for (let i = 0; i < 12; i++) await storage.sessions.save({ id: `s${i}`, data: i });
    const controller = new AbortController();
    await migrate(from, to, {
      batchSize: 5,
      source: 'postgres://app:Sup3r-s3cret@db/app',
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('stop')),
    }).catch(() => undefined);
    const stored = await to.kv?.get(CHECKPOINT_KEY, { now: Date.now() });
    expect(stored).toContain('postgres://app:***@db/app');
    expect(stored).not.toContain('Sup3r-s3cret');
    await close();
  });

  it('refuses a checkpoint that does not name its source (written before sources were recorded)', async () => {
    const { from, to, close } = pair();
    await to.open?.({ clock: { now: Date.now }, timeoutMs: 1000 });
    await to.kv?.set(
      {
        key: CHECKPOINT_KEY,
        value: JSON.stringify({ position: { phase: 'kv' }, sessions: 3, messages: 0, kv: 0 }),
        expiresAt: null,
      },
      { now: Date.now() },
    );
    const error = await migrate(from, to, { resume: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('did not record its source');
    await close();
  });
});
