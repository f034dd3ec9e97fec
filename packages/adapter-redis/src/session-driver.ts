import {
  type AdapterListQuery,
  type AdapterSessionFilter,
  BackendError,
  type CallContext,
  ConflictError,
  isExpired,
  type SessionDriver,
  type SessionWrite,
  type StoredSession,
} from '@stowage/core';
import { ADAPTER } from './errors.js';
import { decodeId, encodeId, labelToken, labelTokens, listMember } from './keys.js';
import {
  deleteSessions,
  getSessions,
  saveSessions,
  scanSessions,
  touchSession,
} from './lua/session-scripts.js';
import type { ScriptRunner } from './script-runner.js';
import { restoreSessionCopies } from './session-restore.js';
import { deleteIfUnchanged } from './session-unchanged.js';

/** How many index members one scan script visits before handing control back to Redis. */
export const SCAN_BUDGET = 500;

type Row = (string | null)[];

/** Session hash fields in the order `toSession` reads them. */
const FIELDS = ['d', 't', 'l', 'v', 'c', 'u', 'e', 'x'] as const;

function nullable(text: string | null | undefined): number | null {
  return text === '' || text === null || text === undefined ? null : Number(text);
}

function corrupt(what: string): BackendError {
  return new BackendError(`Redis returned an unexpected reply for ${what}`, { adapter: ADAPTER });
}

/** Parsed label maps by their stored JSON; cleared when it holds `LABELS_CACHE_SIZE`. */
const labelsCache = new Map<string, Readonly<Record<string, string>>>();
const LABELS_CACHE_SIZE = 1024;

/**
 * The labels stored as `json`, as a fresh object. Sessions of one app share a few label maps,
 * and copying a remembered one costs a fraction of parsing it again on every read. Label
 * names and values are plain strings, so a shallow copy is a full one (`__proto__` stays an
 * own property, as `JSON.parse` makes it).
 */
function parseLabels(json: string): Record<string, string> {
  let labels = labelsCache.get(json);
  if (labels === undefined) {
    labels = JSON.parse(json) as Record<string, string>;
    if (labelsCache.size >= LABELS_CACHE_SIZE) labelsCache.clear();
    labelsCache.set(json, labels);
  }
  return { ...labels };
}

/** Builds a session from `{d, t, l, v, c, u, e, x}` as the get and scan scripts return it. */
function toSession(id: string, row: Row): StoredSession {
  const [data, state, labels, version, createdAt, updatedAt, expiresAt, maxExpiresAt] = row;
  if (typeof data !== 'string' || typeof state !== 'string' || typeof labels !== 'string') {
    throw corrupt(`session ${JSON.stringify(id)}`);
  }
  return {
    id,
    data,
    state,
    labels: parseLabels(labels),
    version: Number(version),
    createdAt: Number(createdAt),
    updatedAt: Number(updatedAt),
    expiresAt: nullable(expiresAt),
    maxExpiresAt: nullable(maxExpiresAt),
  };
}

/** Appends the 8 script arguments of one write (see `saveSessions`) to `args`. */
function pushWriteArgs(args: string[], w: SessionWrite): void {
  const expiry = w.expiresAt === undefined ? 'k' : w.expiresAt === null ? '' : String(w.expiresAt);
  args.push(
    encodeId(w.id),
    w.data,
    w.state,
    JSON.stringify(w.labels),
    labelTokens(w.labels),
    expiry,
    w.maxExpiresAt === null ? '' : String(w.maxExpiresAt),
    w.expectedVersion === undefined ? '' : String(w.expectedVersion),
  );
}

/**
 * Picks the index a filtered walk starts from: a label index when labels are given (the most
 * selective in practice), a state index for one state, else the creation-order index.
 */
function drivingIndex(filter: AdapterSessionFilter): string {
  const firstLabel = Object.entries(filter.labels ?? {})[0];
  if (firstLabel) return `ix:l:${labelToken(firstLabel[0], firstLabel[1])}`;
  const [only, ...rest] = filter.states ?? [];
  if (only !== undefined && rest.length === 0) return `ix:t:${only}`;
  return 'ix:c';
}

function filterArgs(filter: AdapterSessionFilter): string[] {
  const states = filter.states ?? [];
  const tokens = Object.entries(filter.labels ?? {}).map(([n, v]) => labelToken(n, v));
  return [
    filter.updatedAfter === undefined ? '' : String(filter.updatedAfter),
    filter.updatedBefore === undefined ? '' : String(filter.updatedBefore),
    String(states.length),
    ...states,
    ...tokens,
  ];
}

/** The session primitives over Lua scripts; see the README for the key layout. */
export function sessionDriver(
  runner: ScriptRunner,
): SessionDriver & Required<Pick<SessionDriver, 'restore' | 'deleteIfUnchanged'>> {
  const saveAll = async (writes: readonly SessionWrite[], ctx: CallContext) => {
    const args = [String(writes.length)];
    for (const w of writes) pushWriteArgs(args, w);
    const reply = (await runner.write(saveSessions, ctx.now, args)) as unknown[];
    if (reply[0] === 'CONFLICT') {
      const w = writes[Number(reply[1]) - 1] as SessionWrite;
      throw new ConflictError(w.id, w.expectedVersion ?? 0, Number(reply[2]), {
        adapter: ADAPTER,
      });
    }
    const stored = reply as string[];
    return writes.map(
      (w, i): StoredSession => ({
        id: w.id,
        data: w.data,
        state: w.state,
        labels: { ...w.labels },
        version: Number(stored[4 * i]),
        createdAt: Number(stored[4 * i + 1]),
        updatedAt: ctx.now,
        expiresAt: nullable(stored[4 * i + 2]),
        maxExpiresAt: nullable(stored[4 * i + 3]),
      }),
    );
  };

  // Reads are plain HMGETs (cheaper than a script); expiry is decided here with ctx.now, and
  // expired leftovers are left to writes and the sweeper.
  const live = (id: string, row: Row | undefined, now: number): StoredSession | null => {
    if (!row || row[3] === null) return null;
    const session = toSession(id, row);
    return isExpired(session.expiresAt, now) ? null : session;
  };
  const sessionKey = `${runner.prefix}s:`;
  const getOne = async (id: string, ctx: CallContext) => {
    const key = sessionKey + encodeId(id);
    const row = await runner.command('sessions.get', (c) => c.hmget(key, ...FIELDS));
    return live(id, row, ctx.now);
  };
  const getAll = async (ids: readonly string[], ctx: CallContext) => {
    if (ids.length === 1) return [await getOne(ids[0] as string, ctx)];
    const rows = (await runner.read(getSessions, ctx.now, ids.map(encodeId))) as (string | null)[];
    return ids.map((id, i) => live(id, rows.slice(8 * i, 8 * i + 8), ctx.now));
  };

  const remove = async (ids: readonly string[], expected: number | undefined, ctx: CallContext) => {
    const reply = (await runner.write(deleteSessions, ctx.now, [
      expected === undefined ? '' : String(expected),
      ...ids.map(encodeId),
    ])) as [string, number];
    if (reply[0] === 'CONFLICT') {
      throw new ConflictError(ids[0] as string, expected ?? 0, Number(reply[1]), {
        adapter: ADAPTER,
      });
    }
    return Number(reply[1]);
  };

  /** Walks the driving index in bounded script calls until the page is full or it ends. */
  const scan = async (
    mode: 'list' | 'count' | 'delete',
    query: AdapterSessionFilter & Partial<Pick<AdapterListQuery, 'order' | 'limit' | 'after'>>,
    ctx: CallContext,
  ): Promise<{ items: StoredSession[]; count: number }> => {
    const order = query.order ?? 'asc';
    const limit = query.limit ?? Number.MAX_SAFE_INTEGER;
    const index = drivingIndex(query);
    const filter = filterArgs(query);
    let bound = query.after
      ? `(${listMember(query.after.createdAt, encodeId(query.after.id))}`
      : order === 'asc'
        ? '-'
        : '+';
    const items: StoredSession[] = [];
    let count = 0;
    const call = mode === 'delete' ? runner.write.bind(runner) : runner.read.bind(runner);
    for (;;) {
      const want = Math.min(limit - items.length, SCAN_BUDGET);
      const [next, found] = (await call(scanSessions, ctx.now, [
        mode,
        index,
        order,
        bound,
        want,
        SCAN_BUDGET,
        ...filter,
      ])) as [string, Row[] | number];
      if (typeof found === 'number') count += found;
      else for (const row of found) items.push(toSession(decodeId(row[0] as string), row.slice(1)));
      if (next === '' || items.length >= limit) return { items, count };
      bound = next;
    }
  };

  return {
    get: getOne,
    getMany: getAll,
    // A `then` rather than an async wrapper: one promise less on the most common write.
    save: (write, ctx) => saveAll([write], ctx).then((stored) => stored[0] as StoredSession),
    saveMany: saveAll,
    async delete(id, expectedVersion, ctx) {
      return (await remove([id], expectedVersion, ctx)) > 0;
    },
    async deleteMany(ids, ctx) {
      return ids.length === 0 ? 0 : remove(ids, undefined, ctx);
    },
    async touch(id, expiresAt, ctx) {
      const reply = (await runner.write(touchSession, ctx.now, [
        encodeId(id),
        expiresAt === null ? '' : String(expiresAt),
      ])) as [number, string?];
      return reply[0] === 1 ? nullable(reply[1]) : undefined;
    },
    async list(query, ctx) {
      return (await scan('list', query, ctx)).items;
    },
    async count(filter, ctx) {
      return (await scan('count', filter, ctx)).count;
    },
    async deleteWhere(filter, ctx) {
      return (await scan('delete', filter, ctx)).count;
    },
    restore: restoreSessionCopies(runner),
    deleteIfUnchanged: deleteIfUnchanged(runner),
  };
}
