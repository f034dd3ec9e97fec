import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { createStorage, encrypted } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';
import { seedSqlite } from './seed.js';

const dir = mkdtempSync(join(tmpdir(), 'stowage-cli-rekey-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stowage rekey', () => {
  it('re-encrypts sessions under the current key, taking keys from the environment only', async () => {
    const path = join(dir, 'enc.db');
    const k1 = randomBytes(32).toString('hex');
    const k2 = randomBytes(32).toString('base64');
    await seedSqlite(path, 12, { codec: encrypted({ keys: { k1 } }) });
    const env = { STOWAGE_KEYS: JSON.stringify({ k1, k2 }) };
    const r = await runBin(['rekey', `sqlite:${path}`, '--current', 'k2', '--rewrite-kv'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sessions +scanned 12 +rekeyed 12 +current 0 +left 0$/m);
    expect(r.stdout).toMatch(/^kv +scanned 7 +rekeyed 6 .* counters 1$/m);
    // Messages are append-only: they stay under the old key, and the report says so.
    expect(r.stdout).toMatch(/^messages +scanned 10 +rekeyed 0 +current 0 +left 10$/m);
    expect(r.stdout).toContain('NOT complete');
    expect(r.stdout + r.stderr).not.toContain(k1);
    expect(r.stdout + r.stderr).not.toContain(k2);

    const storage = createStorage(sqliteAdapter({ path }), { codec: encrypted({ keys: { k2 } }) });
    expect((await storage.sessions.get('s-00004'))?.data).toEqual({ i: 4, text: 'hello 4' });
    expect(await storage.kv.get('k-1')).toEqual({ i: 1 });
    await storage.close();
  });

  it('is a usage error without keys', async () => {
    const r = await runBin(['rekey', `sqlite:${join(dir, 'none.db')}`], {
      env: { STOWAGE_KEYS: '' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rekey needs keys');
  });
});
