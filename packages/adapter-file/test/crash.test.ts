import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unseal } from '../src/envelope.js';
import { fileAdapter } from '../src/index.js';
import { randomNamespace, removeDir, tempDir } from './helpers.js';
import { exitOf, onLines, startChild } from './processes.js';

const KILLS = 100;
// Independent lanes (each its own namespace and writer) run side by side to keep the test short.
const LANES = 4;

interface Acked {
  sessions: Map<string, number>;
  kv: Map<string, number>;
  messages: number;
}

/** Runs one writer until it has acknowledged `acks` writes, then SIGKILLs it. */
async function runAndKill(dir: string, namespace: string, run: number, acks: number) {
  const child = startChild('crash-writer.mjs', [dir, namespace, String(run)]);
  const exited = exitOf(child);
  const acked: Acked = { sessions: new Map(), kv: new Map(), messages: 0 };
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    exited.then(({ stderr }) => reject(new Error(`writer exited early: ${stderr}`)), reject);
    onLines(child, (line) => {
      const [kind, name, index] = line.split(' ');
      if (kind === 'session') acked.sessions.set(name as string, Number(index));
      else if (kind === 'kv') acked.kv.set(name as string, Number(index));
      else if (kind === 'message') acked.messages++;
      if (++seen === acks) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  const { code } = await exited;
  expect(code).toBeNull();
  return acked;
}

describe('a writer killed with SIGKILL at random points', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir('crash');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  async function lane(kills: number): Promise<void> {
    const namespace = randomNamespace();
    const storage = createStorage(fileAdapter({ dir, namespace, sweepIntervalMs: 0 }));
    for (let run = 0; run < kills; run++) {
      const acked = await runAndKill(dir, namespace, run, 1 + Math.floor(Math.random() * 12));

      // Every session file on disk is a whole version: header, checksum and JSON all intact.
      const sessionsDir = join(dir, namespace, 'sessions');
      for (const name of await readdir(sessionsDir)) {
        if (name.startsWith('.')) continue;
        unseal(await readFile(join(sessionsDir, name), 'utf8'), name);
      }
      for (const [sid, index] of acked.sessions) {
        const got = await storage.sessions.get<{ run: number; i: number }>(sid);
        expect(got?.data.run).toBe(run);
        expect(got?.data.i).toBeGreaterThanOrEqual(index);
      }
      for (const [key, index] of acked.kv) {
        const got = await storage.kv.get<{ run: number; i: number }>(key);
        expect(got?.run).toBe(run);
        expect(got?.i).toBeGreaterThanOrEqual(index);
      }
      // Messages of each run are a gap-free prefix 0..n-1 with n >= what was acknowledged.
      const messages = await storage.messages.range<{ run: number; i: number }>('chat', 0, -1);
      const counts = new Map<number, number>();
      for (const m of messages) {
        expect(m.i).toBe(counts.get(m.run) ?? 0);
        counts.set(m.run, m.i + 1);
      }
      expect(counts.get(run) ?? 0).toBeGreaterThanOrEqual(acked.messages);
    }
    await storage.close();
  }

  it(`${KILLS} times leaves only complete files, keeps every acknowledged write and never returns a torn message`, async () => {
    await Promise.all(Array.from({ length: LANES }, () => lane(KILLS / LANES)));
  }, 120_000);
});
