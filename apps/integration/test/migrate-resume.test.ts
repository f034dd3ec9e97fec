import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { CHECKPOINT_KEY, importRecords, type MigrationResult, systemClock } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generated, totals } from './migrate-support.js';

const worker = fileURLToPath(new URL('./migrate-worker.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stowage-migrate-kill-'));
const source = join(dir, 'source.db');
const target = join(dir, 'target.db');
const SESSIONS = 6000;

afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await importRecords(sqliteAdapter({ path: source }), generated(SESSIONS), { batchSize: 1000 });
}, 120_000);

/** Runs the worker; resolves when `until` matches a stdout line (or the process ends). */
function start(args: string[]): {
  child: ChildProcess;
  lines: string[];
  done: Promise<number | null>;
} {
  const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    child.emit('line');
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { child, lines, done };
}

describe('migrate killed part-way and resumed', () => {
  it('a SIGKILLed copy resumes from its checkpoint with nothing missing or duplicated', async () => {
    const first = start([source, target]);
    // Kill after the third completed batch: the copy is then well inside its first phase.
    await new Promise<void>((resolve, reject) => {
      first.child.on('line', () => {
        if (first.lines.length >= 3) resolve();
      });
      first.child.on('close', () =>
        reject(new Error(`worker ended early: ${first.lines.join('\n')}`)),
      );
    });
    first.child.kill('SIGKILL');
    expect(await first.done).toBeNull();

    const partial = sqliteAdapter({ path: target });
    const copied = (await totals(partial)).sessions;
    const checkpoint = await partial.kv?.get(CHECKPOINT_KEY, { now: systemClock.now() });
    await partial.close();
    expect(checkpoint, 'the copy finished before it was killed').toBeDefined();
    const saved = JSON.parse(checkpoint as string) as {
      sessions: number;
      position: { phase: string };
    };
    expect(saved.position.phase).toBe('sessions');
    expect(saved.sessions).toBeGreaterThanOrEqual(300);
    expect(copied).toBeLessThan(SESSIONS);

    const second = start([source, target, '--resume']);
    expect(await second.done).toBe(0);
    const result = JSON.parse(second.lines.at(-1) as string) as MigrationResult;
    expect(result.resumed).toBe(true);
    // The rerun started after the checkpoint, not from the beginning.
    expect(Number(second.lines[0]?.split(' ')[1])).toBe(saved.sessions + 100);
    expect(result.verify?.ok).toBe(true);
    expect(result.verify?.sessions).toMatchObject({ source: SESSIONS, target: SESSIONS });

    const [from, to] = [sqliteAdapter({ path: source }), sqliteAdapter({ path: target })];
    // totals() opens both adapters, so the checkpoint can be read afterwards.
    const [a, b] = [await totals(from), await totals(to)];
    expect(b).toEqual(a);
    expect(await to.kv?.get(CHECKPOINT_KEY, { now: systemClock.now() })).toBeUndefined();
    await Promise.all([from.close(), to.close()]);
  });
});
