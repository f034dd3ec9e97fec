import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { startScript } from './processes.js';

const KILLS = 100;
// Writers run in parallel lanes on the same file, so kills also land while another process writes.
const LANES = 3;
const dir = mkdtempSync(join(tmpdir(), 'stowage-sqlite-crash-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts the writer, waits for `acks` acknowledged steps (0: kill as soon as it is ready, in the
 * middle of opening and migrating or of the first write), SIGKILLs it and returns the highest
 * acknowledged step (-1 for none).
 */
function killAfter(path: string, run: string, acks: number): Promise<number> {
  const child = startScript('./crash-writer.mjs', [path, 'crash', run]);
  let buffered = '';
  let last = -1;
  let seen = 0;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line !== 'ready') {
          last = Number(line);
          seen++;
        }
        if (seen >= acks && !child.killed) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer stopped by itself (${signal}): ${stderr}`));
    });
  });
}

it('a writer SIGKILLed at 100 random points leaves an intact file with every acknowledged write', async () => {
  const path = join(dir, 'crash.db');
  const storage = createStorage(sqliteAdapter({ path, namespace: 'crash' }));
  await storage.sessions.save({ id: 'journal', data: {} });

  const acknowledged = new Map<string, number>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < KILLS) {
      const run = `r${next++}`;
      acknowledged.set(run, await killAfter(path, run, randomInt(0, 12)));
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  expect(acknowledged.size).toBe(KILLS);

  const raw = new Database(path, { readonly: true });
  expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  raw.close();

  const journal = (await storage.messages.range('journal')) as { run: string; i: number }[];
  const journaled = new Set(journal.map((m) => `${m.run}-${m.i}`));
  let checked = 0;
  for (const [run, last] of acknowledged) {
    for (let i = 0; i <= last; i++) {
      const session = await storage.sessions.get<{ i: number }>(`${run}-${i}`);
      expect(session?.data.i, `session ${run}-${i}`).toBe(i);
      expect(journaled.has(`${run}-${i}`), `journal entry ${run}-${i}`).toBe(true);
      checked++;
    }
    // The counter may be one ahead: the kill can land after the increment, before the ack.
    const counter = (await storage.kv.get<number>(`counter:${run}`)) ?? 0;
    expect(counter - (last + 1)).toBeGreaterThanOrEqual(0);
    expect(counter - (last + 1)).toBeLessThanOrEqual(1);
  }
  expect(checked).toBeGreaterThan(0);
  await storage.close();
}, 120_000);
