import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InspectReport } from '../src/commands/inspect.js';
import { runBin } from './run-bin.js';
import { seedSqlite } from './seed.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-cli-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stowage inspect and sweep', () => {
  it('inspect counts live sessions by state, messages and kv with sizes', async () => {
    const path = join(dir, 'live.db');
    const seeded = await seedSqlite(path, 20);
    const r = await runBin(['inspect', `sqlite:${path}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as InspectReport;
    expect(report.sessions).toMatchObject({
      total: 20,
      byState: { active: 16, archived: 4 },
      withExpiry: 5,
    });
    expect(report.sessions.dataBytes).toBeGreaterThan(0);
    expect(report.messages).toMatchObject({
      total: seeded.messages,
      sessionsWithMessages: 7,
      longest: 4,
    });
    expect(report.kv).toMatchObject({ total: seeded.kv, counters: 1, withExpiry: 0 });
    expect(report.health).toMatchObject({ schemaVersion: expect.any(Number) });
    const text = await runBin(['inspect', `sqlite:${path}`]);
    expect(text.stdout).toMatch(/^sessions {2}20 live/m);
    expect(text.stdout).toMatch(/^ {2}archived +4$/m);
  });

  it('expired sessions are not counted, and sweep removes them', async () => {
    const path = join(dir, 'expired.db');
    await seedSqlite(path, 20, { expired: true });
    const before = JSON.parse(
      (await runBin(['inspect', `sqlite:${path}`, '--json'])).stdout,
    ) as InspectReport;
    expect(before.sessions.total).toBe(15);
    const sweep = await runBin(['sweep', `sqlite:${path}`, '--json']);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(JSON.parse(sweep.stdout)).toMatchObject({ removed: 5 });
    const again = await runBin(['sweep', `sqlite:${path}`]);
    expect(again.stdout.trim()).toBe('removed 0 expired items');
  });
});
