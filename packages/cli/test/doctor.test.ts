import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DoctorCheck } from '../src/commands/doctor.js';
import { dropSchemas, PG_URL, uniqueSchema } from './postgres.js';
import { REDIS_URL } from './redis.js';
import { runBin } from './run-bin.js';
import { seedSqlite } from './seed.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-cli-doctor-'));
const schema = uniqueSchema('cli_doctor');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schema);
});

function checks(stdout: string): Record<string, DoctorCheck['status']> {
  const parsed = JSON.parse(stdout) as { checks: DoctorCheck[] };
  return Object.fromEntries(parsed.checks.map((c) => [c.name, c.status]));
}

describe('stowage doctor', () => {
  it('passes a healthy SQLite file, reports its schema version and says the clock check does not apply', async () => {
    const path = join(dir, 'ok.db');
    await seedSqlite(path, 1);
    const r = await runBin(['doctor', `sqlite:${path}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OK\s+connectivity\s+answered in [\d.]+ ms/);
    expect(r.stdout).toMatch(/^ {2}OK {4}schema +schema version \d+ \(sqlite\)$/m);
    expect(r.stdout).toMatch(/^ {2}SKIP {2}clock +does not apply: sqlite has no server clock/m);
  });

  it('says which checks do not apply to a folder of files', async () => {
    const r = await runBin(['doctor', `file:${dir}`, '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(checks(r.stdout)).toEqual({
      config: 'ok',
      connectivity: 'ok',
      schema: 'skip',
      clock: 'skip',
    });
  });

  it('checks Redis: no schema version to report, and the server clock', async () => {
    const r = await runBin(['doctor', REDIS_URL, '--namespace', 'cli_doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}SKIP {2}schema +the redis adapter keeps no schema version$/m);
    expect(r.stdout).toMatch(
      /^ {2}OK {4}clock +server clock is \d+ ms (ahead of|behind) this machine/m,
    );
  });

  it('fails a SQLite path that does not exist without creating it', async () => {
    const r = await runBin(['doctor', `sqlite:${join(dir, 'missing.db')}`, '--json']);
    expect(r.code).toBe(1);
    expect(checks(r.stdout)).toEqual({ config: 'fail' });
  });

  it('checks PostgreSQL connectivity, schema version and clock skew', async () => {
    const r = await runBin(['doctor', PG_URL, '--schema', schema, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(checks(r.stdout)).toMatchObject({
      config: 'ok',
      connectivity: 'ok',
      schema: 'ok',
      clock: 'ok',
    });
  });

  it('fails when the server cannot be reached', async () => {
    const r = await runBin(['doctor', 'postgres://postgres@127.0.0.1:1/test', '--json']);
    expect(r.code).toBe(1);
    expect(checks(r.stdout)).toMatchObject({ connectivity: 'fail' });
  });
});
