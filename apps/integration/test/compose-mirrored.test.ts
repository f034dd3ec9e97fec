import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { type MirroredAdapter, mirrored, type StowageAdapter } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, prepare, sqliteInspector, unique, withPostgres } from './codecs-support.js';

// SQLite mirrored onto PostgreSQL, as when moving off the embedded default.
const dir = mkdtempSync(join(tmpdir(), 'stowage-mirrored-'));
const path = join(dir, 'primary.db');
const namespace = unique('mirror');
const schema = unique('stowage_mirror');
const created: MirroredAdapter[] = [];
const primary = () => sqliteAdapter({ path, namespace, sweepIntervalMs: 0 });
const secondary = (): StowageAdapter =>
  postgresAdapter({ connection: POSTGRES_URL, schema, sweepIntervalMs: 0 });

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
});

describeAdapterContract({
  name: 'mirrored(sqlite, postgres)',
  create: () => {
    const adapter = mirrored(primary(), secondary());
    created.push(adapter);
    return adapter;
  },
  inspect: async () => {
    await prepare(primary());
    return sqliteInspector(path, namespace);
  },
});

describe('mirrored(sqlite, postgres) after the whole contract', () => {
  it('left no unrepaired difference on the secondary', () => {
    expect(created.length).toBeGreaterThan(10);
    const unrepaired = created.flatMap((a) => a.differences().recent.filter((d) => !d.repaired));
    expect(unrepaired.map((d) => `${d.op} ${d.reason}: ${d.detail}`)).toEqual([]);
  });
});
