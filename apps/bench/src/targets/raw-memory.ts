import type { BenchDoc, Target, TargetSpec } from '../types.js';

interface MemoryRecord {
  data: string;
  state: string;
  labels: Record<string, string>;
  version: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  messages: string[];
}

function isLive(record: MemoryRecord, now: number): boolean {
  return record.expiresAt === null || record.expiresAt > now;
}

/**
 * The in-process floor: a Map of records holding JSON text, with the same version bump and
 * expiry checks as a session store, and a linear scan for listings (no index), like the
 * memory adapter.
 */
function rawMemory(): Target {
  const map = new Map<string, MemoryRecord>();
  const saveOne = (doc: BenchDoc, expiresAt: number | null) => {
    const now = Date.now();
    const old = map.get(doc.id);
    const live = old !== undefined && isLive(old, now);
    map.set(doc.id, {
      data: JSON.stringify(doc.data),
      state: doc.state,
      labels: { ...doc.labels },
      version: live ? old.version + 1 : 1,
      createdAt: live ? old.createdAt : now,
      updatedAt: now,
      expiresAt,
      messages: live ? old.messages : [],
    });
  };
  const getOne = (id: string) => {
    const record = map.get(id);
    if (record === undefined || !isLive(record, Date.now())) return null;
    return { ...record, data: JSON.parse(record.data) as unknown };
  };
  const select = (match: (id: string, record: MemoryRecord) => boolean) => {
    const now = Date.now();
    const out: [string, MemoryRecord][] = [];
    for (const [id, record] of map)
      if (isLive(record, now) && match(id, record)) out.push([id, record]);
    return out;
  };
  const firstPage = (rows: [string, MemoryRecord][]) =>
    rows
      .sort(([ia, a], [ib, b]) => a.createdAt - b.createdAt || (ia < ib ? -1 : 1))
      .slice(0, 100)
      .map(([, record]) => JSON.parse(record.data) as unknown).length;

  return {
    name: 'raw-memory',
    backend: 'memory',
    kind: 'raw',
    skips: {},
    async save(doc) {
      saveOne(doc, null);
    },
    get: async (id) => getOne(id),
    async append(id, message) {
      const record = map.get(id);
      if (record === undefined || !isLive(record, Date.now())) throw new Error(`no session ${id}`);
      record.messages.push(JSON.stringify(message));
      record.updatedAt = Date.now();
    },
    async saveMany(docs) {
      for (const doc of docs) saveOne(doc, null);
    },
    getMany: async (ids) => ids.map(getOne),
    query: {
      async seed(docs) {
        for (const doc of docs) saveOne(doc, null);
      },
      listByState: async (state) => firstPage(select((_, r) => r.state === state)),
      listByLabel: async (key, value) => firstPage(select((_, r) => r.labels[key] === value)),
      countByState: async (state) => select((_, r) => r.state === state).length,
      countByLabel: async (key, value) => select((_, r) => r.labels[key] === value).length,
    },
    sweep: {
      async seedExpired(docs) {
        for (const doc of docs) saveOne(doc, 1);
      },
      async sweepAll() {
        const now = Date.now();
        let removed = 0;
        for (const [id, record] of map) {
          if (!isLive(record, now)) {
            map.delete(id);
            removed += 1;
          }
        }
        return removed;
      },
    },
    async close() {
      map.clear();
    },
  };
}

/** The raw Map target. */
export const rawMemorySpec: TargetSpec = {
  name: 'raw-memory',
  backend: 'memory',
  kind: 'raw',
  create: async () => rawMemory(),
};
