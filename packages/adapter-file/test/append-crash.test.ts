import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, type Storage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unseal } from '../src/envelope.js';
import { fileAdapter } from '../src/index.js';
import { encodeName } from '../src/names.js';
import { randomNamespace, removeDir, tempDir } from './helpers.js';
import { exitOf, onLines, startChild } from './processes.js';

const KILLS = 40;
const LANES = 4;

interface Message {
  run: number;
  i: number;
  j: number;
  text: string;
}

/** Runs one appender until it has printed `lines` lines, then SIGKILLs it. */
async function runAndKill(dir: string, namespace: string, run: number, id: string, lines: number) {
  const child = startChild('append-writer.mjs', [dir, namespace, String(run), id]);
  const exited = exitOf(child);
  let acked = 0;
  let started: { i: number; key: string | undefined } | undefined;
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    exited.then(({ stderr }) => reject(new Error(`appender exited early: ${stderr}`)), reject);
    onLines(child, (line) => {
      const [kind, i, key] = line.split(' ');
      if (kind === 'start') started = { i: Number(i), key: key === '-' ? undefined : key };
      if (kind === 'ack') acked = Number(i) + 1;
      if (++seen === lines) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  expect((await exited).code).toBeNull();
  return { acked, started };
}

/** Appends of one run, in order: each append's three messages together, i = 0, 1, 2, ... */
function appendsOf(messages: readonly Message[], run: number): number {
  const mine = messages.filter((m) => m.run === run);
  expect(mine.length % 3).toBe(0);
  mine.forEach((m, index) => {
    expect(m.i).toBe(Math.floor(index / 3));
    expect(m.j).toBe(index % 3);
  });
  return mine.length / 3;
}

describe('an appender killed with SIGKILL at random points', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir('append-crash');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  async function check(storage: Storage, namespace: string, id: string, run: number) {
    // The session file is whole, and its log, count and updatedAt agree with each other.
    const file = join(dir, namespace, 'sessions', `${encodeName(id)}.json`);
    unseal(await readFile(file, 'utf8'), id);
    const messages = await storage.messages.range<Message>(id, 0, -1);
    expect(await storage.messages.length(id)).toBe(messages.length);
    const session = await storage.sessions.get(id);
    expect(session?.updatedAt).toBeGreaterThanOrEqual(session?.createdAt ?? Number.NaN);
    return appendsOf(messages, run);
  }

  async function lane(kills: number): Promise<void> {
    const namespace = randomNamespace();
    // A writer killed between creating its lock file and filling it leaves an empty lock,
    // which is judged by its age (`staleLockMs`): keep that short so the retries need not wait.
    const storage = createStorage(
      fileAdapter({ dir, namespace, sweepIntervalMs: 0, staleLockMs: 1000 }),
    );
    let id = 'chat-0';
    for (let run = 0; run < kills; run++) {
      // A fresh session now and then, so kills also land in a segment's first append.
      if (run % 4 === 0) id = `chat-${run}`;
      const lines = 1 + Math.floor(Math.random() * 16);
      const { acked, started } = await runAndKill(dir, namespace, run, id, lines);
      const appends = await check(storage, namespace, id, run);
      // Every acknowledged append survived; at most the one in flight was added besides.
      expect(appends).toBeGreaterThanOrEqual(acked);
      expect(appends).toBeLessThanOrEqual(acked + 1);
      if (started && started.i >= acked && started.key !== undefined) {
        // The client's retry after the crash: applied exactly once, whether or not it had committed.
        const messages = [0, 1, 2].map((j) => ({ run, i: started.i, j, text: 't'.repeat(3_000) }));
        const length = await storage.messages.append(id, messages, {
          idempotencyKey: started.key,
        });
        expect(length).toBe(await storage.messages.length(id));
        expect(await check(storage, namespace, id, run)).toBe(started.i + 1);
      }
    }
    await storage.close();
  }

  it(`${KILLS} times keeps every acknowledged append whole, the count in step with the log, and retries exactly once`, async () => {
    await Promise.all(Array.from({ length: LANES }, () => lane(KILLS / LANES)));
  }, 180_000);
});
