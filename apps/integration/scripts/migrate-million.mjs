// Measures migrate() at scale: seeds N sessions (every 10th with 3 messages) and N/10 kv
// entries into a SQLite file, copies them to a second SQLite file (or to PostgreSQL with
// --to postgres), and reports wall time, rate and the peak RSS of this process.
//
//   node scripts/migrate-million.mjs [sessions=1000000] [--to sqlite|postgres] [--verify]
//
// Build the packages first (pnpm build). Files go to a fresh temp folder that is removed at the
// end; PostgreSQL uses a throwaway schema that is dropped.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { importRecords, migrate } from '@stowage/core';
import pg from 'pg';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    to: { type: 'string', default: 'sqlite' },
    verify: { type: 'boolean', default: false },
  },
});
const total = Number(positionals[0] ?? 1_000_000);
const pgUrl = process.env.STOWAGE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'stowage-million-'));
const schema = `million_${randomBytes(4).toString('hex')}`;

let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 100);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function* records(n) {
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++) {
    const id = `session-${String(i).padStart(8, '0')}`;
    const at = base + i * 10;
    yield {
      kind: 'session',
      session: {
        id,
        data: JSON.stringify({ user: `u${i % 5000}`, topic: `conversation ${i}`, turns: i % 17 }),
        state: i % 7 === 0 ? 'archived' : 'active',
        labels: { userId: `u${i % 5000}` },
        version: 1 + (i % 5),
        createdAt: at,
        updatedAt: at + 5,
        expiresAt: null,
        maxExpiresAt: null,
      },
    };
    if (i % 10 === 0) {
      const items = [0, 1, 2].map((k) =>
        JSON.stringify({ role: k % 2 ? 'assistant' : 'user', text: `m${k}` }),
      );
      yield { kind: 'messages', id, offset: 0, items };
    }
  }
  for (let i = 0; i < n / 10; i++) {
    yield { kind: 'kv', entry: { key: `kv-${i}`, value: JSON.stringify({ i }), expiresAt: null } };
  }
}

const sourcePath = join(dir, 'source.db');
try {
  let started = performance.now();
  const seeded = await importRecords(sqliteAdapter({ path: sourcePath }), records(total), {
    batchSize: 1000,
  });
  console.log(
    `seeded ${seeded.sessions} sessions, ${seeded.messages} messages, ${seeded.kv} kv in ${((performance.now() - started) / 1000).toFixed(1)} s; source file ${mb(statSync(sourcePath).size)}`,
  );

  global.gc?.();
  peakRss = process.memoryUsage().rss;
  const rssBefore = peakRss;
  const from = sqliteAdapter({ path: sourcePath });
  const to =
    values.to === 'postgres'
      ? postgresAdapter({ connection: pgUrl, schema })
      : sqliteAdapter({ path: join(dir, 'target.db') });
  started = performance.now();
  let lastPrint = 0;
  const result = await migrate(from, to, {
    batchSize: 1000,
    verify: values.verify,
    onProgress: (p) => {
      sample();
      const now = performance.now();
      if (now - lastPrint > 10_000) {
        lastPrint = now;
        console.log(
          `  ${p.phase} ${p.done}${p.total ? `/${p.total}` : ''} ${Math.round(p.rate)}/s rss ${mb(process.memoryUsage().rss)}`,
        );
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  sample();
  console.log(
    JSON.stringify({
      target: values.to,
      sessions: result.sessions,
      messages: result.messages,
      kv: result.kv,
      verified: result.verify?.ok ?? null,
      seconds: Number(seconds.toFixed(1)),
      sessionsPerSecond: Math.round(result.sessions / seconds),
      rssBeforeMB: Math.round(rssBefore / 1024 / 1024),
      peakRssMB: Math.round(peakRss / 1024 / 1024),
    }),
  );
  await from.close();
  await to.close();
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
  if (values.to === 'postgres') {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
