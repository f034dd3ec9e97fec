import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { BenchEnv } from '../env.js';
import type { BenchDoc, Target, TargetSpec } from '../types.js';

interface Row {
  id: string;
  data: string;
  state: string;
  labels: string;
  version: number;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
}

const SCHEMA = `
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY, data TEXT NOT NULL, state TEXT NOT NULL, labels TEXT NOT NULL,
    version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    expires_at INTEGER
  );
  CREATE INDEX sessions_created ON sessions (created_at, id);
  CREATE INDEX sessions_state ON sessions (state);
  CREATE INDEX sessions_expires ON sessions (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE labels (session_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (session_id, name));
  CREATE INDEX labels_lookup ON labels (name, value, session_id);
  CREATE TABLE messages (session_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (session_id, seq));
`;

/**
 * The SQLite floor: better-sqlite3 prepared statements on the same schema shape as the
 * adapter (sessions, a label table, messages), WAL with `synchronous = NORMAL`, and the same
 * logical steps: read the current row, update it (version + 1) or replace it when it expired,
 * rewrite label rows only when the labels changed, expiry checked on every read.
 */
async function rawSqlite(path: string, expiredAt: number): Promise<Target> {
  const db = new Database(path);
  db.exec(SCHEMA);
  const live = '(expires_at IS NULL OR expires_at > @now)';
  const current = db.prepare<[string], { version: number; labels: string; expires: number | null }>(
    'SELECT version, labels, expires_at AS expires FROM sessions WHERE id = ?',
  );
  const update = db.prepare(`UPDATE sessions SET data = @data, state = @state, labels = @labels,
    version = @version, updated_at = @now, expires_at = @expires WHERE id = @id`);
  const insert = db.prepare(`
    INSERT INTO sessions (id, data, state, labels, version, created_at, updated_at, expires_at)
    VALUES (@id, @data, @state, @labels, 1, @now, @now, @expires)`);
  const dropLabels = db.prepare('DELETE FROM labels WHERE session_id = ?');
  const addLabel = db.prepare('INSERT INTO labels (session_id, name, value) VALUES (?, ?, ?)');
  const selectOne = db.prepare<{ id: string; now: number }, Row>(
    `SELECT * FROM sessions WHERE id = @id AND ${live}`,
  );
  const touch = db.prepare(`UPDATE sessions SET updated_at = @now WHERE id = @id AND ${live}`);
  const push = db.prepare(`INSERT INTO messages (session_id, seq, body) VALUES (@id,
    (SELECT COALESCE(MAX(seq), -1) + 1 FROM messages WHERE session_id = @id), @body)`);
  const byState = db.prepare<{ state: string; now: number }, Row>(
    `SELECT * FROM sessions WHERE state = @state AND ${live} ORDER BY created_at, id LIMIT 100`,
  );
  const byLabel = db.prepare<{ name: string; value: string; now: number }, Row>(
    `SELECT s.* FROM labels l JOIN sessions s ON s.id = l.session_id
     WHERE l.name = @name AND l.value = @value AND ${live} ORDER BY s.created_at, s.id LIMIT 100`,
  );
  const countState = db.prepare<{ state: string; now: number }, { n: number }>(
    `SELECT COUNT(*) AS n FROM sessions WHERE state = @state AND ${live}`,
  );
  const countLabel = db.prepare<{ name: string; value: string; now: number }, { n: number }>(
    `SELECT COUNT(*) AS n FROM labels l JOIN sessions s ON s.id = l.session_id
     WHERE l.name = @name AND l.value = @value AND ${live}`,
  );
  const expiredIds = db.prepare<{ now: number }, { id: string }>(
    'SELECT id FROM sessions WHERE expires_at <= @now LIMIT 1000',
  );
  const dropSession = db.prepare('DELETE FROM sessions WHERE id = ?');
  const dropMessages = db.prepare('DELETE FROM messages WHERE session_id = ?');
  const removeOne = (id: string) => {
    dropLabels.run(id);
    dropMessages.run(id);
    dropSession.run(id);
  };

  // The same work as the adapter: read the row, update a live one or replace an expired one,
  // and touch label rows only when the labels changed (most saves keep them).
  const saveOne = (doc: BenchDoc, expires: number | null, now: number) => {
    const row = current.get(doc.id);
    const labels = JSON.stringify(doc.labels);
    const fields = {
      id: doc.id,
      data: JSON.stringify(doc.data),
      state: doc.state,
      labels,
      now,
      expires,
    };
    const alive = row !== undefined && (row.expires === null || row.expires > now);
    if (alive) {
      update.run({ ...fields, version: row.version + 1 });
      if (row.labels === labels) return;
      dropLabels.run(doc.id);
    } else {
      if (row !== undefined) removeOne(doc.id);
      insert.run(fields);
    }
    for (const [name, value] of Object.entries(doc.labels)) addLabel.run(doc.id, name, value);
  };
  const saveTx = db.transaction(saveOne);
  const saveManyTx = db.transaction((docs: readonly BenchDoc[], expires: number | null) => {
    const now = Date.now();
    for (const doc of docs) saveOne(doc, expires, now);
  });
  const decode = (row: Row | undefined) =>
    row === undefined
      ? null
      : {
          ...row,
          data: JSON.parse(row.data) as unknown,
          labels: JSON.parse(row.labels) as unknown,
        };
  const getManyTx = db.transaction((ids: readonly string[]) => {
    const now = Date.now();
    return ids.map((id) => decode(selectOne.get({ id, now })));
  });
  const appendTx = db.transaction((id: string, body: string) => {
    const now = Date.now();
    if (touch.run({ id, now }).changes !== 1) throw new Error(`session ${id} not found`);
    push.run({ id, body });
  });
  const sweepBatch = db.transaction((now: number) => {
    const ids = expiredIds.all({ now });
    for (const { id } of ids) removeOne(id);
    return ids.length;
  });

  return {
    name: 'raw-sqlite',
    backend: 'sqlite',
    kind: 'raw',
    skips: {},
    async save(doc) {
      saveTx.immediate(doc, null, Date.now());
    },
    async get(id) {
      return decode(selectOne.get({ id, now: Date.now() }));
    },
    async append(id, message) {
      appendTx(id, JSON.stringify(message));
    },
    async saveMany(docs) {
      saveManyTx.immediate(docs, null);
    },
    async getMany(ids) {
      return getManyTx(ids);
    },
    query: {
      async seed(docs) {
        saveManyTx(docs, null);
      },
      listByState: async (state) => byState.all({ state, now: Date.now() }).map(decode).length,
      listByLabel: async (name, value) =>
        byLabel.all({ name, value, now: Date.now() }).map(decode).length,
      countByState: async (state) => countState.get({ state, now: Date.now() })?.n ?? 0,
      countByLabel: async (name, value) => countLabel.get({ name, value, now: Date.now() })?.n ?? 0,
    },
    sweep: {
      async seedExpired(docs) {
        saveManyTx(docs, expiredAt);
      },
      async sweepAll() {
        let total = 0;
        for (;;) {
          const removed = sweepBatch(Date.now());
          total += removed;
          if (removed === 0) return total;
          // Like a background sweeper, give other work a turn between batches.
          await yieldToLoop();
        }
      },
    },
    async close() {
      db.close();
    },
  };
}

/** The raw better-sqlite3 target. */
export function rawSqliteSpec(env: BenchEnv): TargetSpec {
  return {
    name: 'raw-sqlite',
    backend: 'sqlite',
    kind: 'raw',
    create: (slot) => rawSqlite(join(env.dir, `raw-${slot}.db`), 1),
  };
}
