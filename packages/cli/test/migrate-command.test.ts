import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchemas, PG_URL, uniqueSchema } from './postgres.js';
import { runBin } from './run-bin.js';
import { type Seeded, seedSqlite } from './seed.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-cli-migrate-'));
const source = `sqlite:${join(dir, 'source.db')}`;
const schema = uniqueSchema('cli_migrate');
let seeded: Seeded;

beforeAll(async () => {
  seeded = await seedSqlite(join(dir, 'source.db'), 120);
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schema);
});

describe('stowage migrate', () => {
  it('copies sqlite to sqlite, verifies, and reports progress as plain lines on stderr', async () => {
    const target = `sqlite:${join(dir, 'copy.db')}`;
    const r = await runBin(['migrate', source, target, '--verify', '--batch-size', '25']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `copied ${seeded.sessions} sessions, ${seeded.messages} messages, ${seeded.kv} kv entries`,
    );
    expect(r.stdout).toContain('verify: OK');
    expect(r.stdout).toContain(
      `sessions  source ${seeded.sessions}  target ${seeded.sessions}  missing 0`,
    );
    expect(r.stderr).toMatch(/^sessions\s+\d+\.\d%\s+25\/120\s+[\d,]+\/s\s+ETA \d+:\d\d$/m);
    expect(r.stderr).not.toContain('\r');
  });

  it('copies sqlite to PostgreSQL (own schema) and prints a JSON result', async () => {
    const r = await runBin([
      'migrate',
      source,
      PG_URL,
      '--to-schema',
      schema,
      '--verify',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      sessions: number;
      messages: number;
      kv: number;
      verify: { ok: boolean; sourceChecksum: string; targetChecksum: string };
    };
    expect(result).toMatchObject({
      sessions: seeded.sessions,
      messages: seeded.messages,
      kv: seeded.kv,
    });
    expect(result.verify.ok).toBe(true);
    expect(result.verify.sourceChecksum).toBe(result.verify.targetChecksum);

    const back = `sqlite:${join(dir, 'back.db')}`;
    const round = await runBin(['migrate', PG_URL, back, '--schema', schema, '--verify']);
    expect(round.code, round.stderr).toBe(0);
    expect(round.stdout).toContain('verify: OK');
  });

  it('exits 1 and lists the differing ids when verification fails', async () => {
    const path = join(dir, 'stray.db');
    const storage = createStorage(sqliteAdapter({ path }));
    await storage.sessions.save({ id: 'stray-session', data: { only: 'target' } });
    await storage.kv.set('stray-key', 1);
    await storage.close();
    const r = await runBin(['migrate', source, `sqlite:${path}`, '--verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('verify: MISMATCH');
    expect(r.stdout).toContain('extra session "stray-session"');
    expect(r.stdout).toContain('extra kv "stray-key"');
  });
});
