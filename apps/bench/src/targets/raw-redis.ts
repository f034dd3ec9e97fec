import type { JsonValue } from '@stowage/core';
import { Redis } from 'ioredis';
import type { BenchEnv } from '../env.js';
import type { BenchDoc, Target, TargetSpec } from '../types.js';

// Hash fields: d data, t state, l labels, lx label tokens `;k=v;`, v version, c createdAt,
// u updatedAt, e expiresAt ('' = none). Index zsets are scored by createdAt.
const SAVE = `
local P, id, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local k = P .. 's:' .. id
local old = redis.call('HMGET', k, 'v', 'c', 't', 'lx', 'e')
local v, c = 1, ARGV[3]
if old[1] then
  if old[5] == '' or tonumber(old[5]) > now then
    v = tonumber(old[1]) + 1
    c = old[2]
  else
    redis.call('DEL', P .. 'm:' .. id)
  end
  redis.call('ZREM', P .. 'ix:t:' .. old[3], id)
  for tok in string.gmatch(old[4], '[^;]+') do redis.call('ZREM', P .. 'ix:l:' .. tok, id) end
  redis.call('ZREM', P .. 'ix:x', id)
end
redis.call('HSET', k, 'd', ARGV[4], 't', ARGV[5], 'l', ARGV[6], 'lx', ARGV[7], 'v', v, 'c', c,
  'u', ARGV[3], 'e', ARGV[8])
redis.call('ZADD', P .. 'ix:t:' .. ARGV[5], c, id)
for tok in string.gmatch(ARGV[7], '[^;]+') do redis.call('ZADD', P .. 'ix:l:' .. tok, c, id) end
if ARGV[8] ~= '' then redis.call('ZADD', P .. 'ix:x', ARGV[8], id) end
return v`;

const APPEND = `
local P, id, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local k = P .. 's:' .. id
local e = redis.call('HGET', k, 'e')
if not e or (e ~= '' and tonumber(e) <= now) then return -1 end
redis.call('HSET', k, 'u', ARGV[3])
return redis.call('RPUSH', P .. 'm:' .. id, ARGV[4])`;

// Walks one index in createdAt order, skipping expired members; returns up to ARGV[4] data
// values (list) or, with ARGV[4] = 0, the number of live members (count).
const SCAN = `
local P, ix, now, limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local out, n, start = {}, 0, 0
while true do
  local ids = redis.call('ZRANGE', P .. ix, start, start + 499)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local r = redis.call('HMGET', P .. 's:' .. id, 'e', 'd')
    if r[1] and (r[1] == '' or tonumber(r[1]) > now) then
      n = n + 1
      if limit > 0 then
        out[#out + 1] = r[2]
        if #out >= limit then return out end
      end
    end
  end
  start = start + 500
end
if limit > 0 then return out end
return n`;

const SWEEP = `
local P, now = ARGV[1], ARGV[2]
local ids = redis.call('ZRANGEBYSCORE', P .. 'ix:x', '-inf', now, 'LIMIT', 0, 1000)
for _, id in ipairs(ids) do
  local r = redis.call('HMGET', P .. 's:' .. id, 't', 'lx')
  if r[1] then
    redis.call('ZREM', P .. 'ix:t:' .. r[1], id)
    for tok in string.gmatch(r[2], '[^;]+') do redis.call('ZREM', P .. 'ix:l:' .. tok, id) end
  end
  redis.call('DEL', P .. 's:' .. id, P .. 'm:' .. id)
  redis.call('ZREM', P .. 'ix:x', id)
end
return #ids`;

interface RawRedis extends Redis {
  benchSave(...args: string[]): Promise<number>;
  benchAppend(...args: string[]): Promise<number>;
  benchScan(...args: string[]): Promise<string[] | number>;
  benchSweep(...args: string[]): Promise<number>;
}

function tokens(labels: Record<string, string>): string {
  return `;${Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(';')};`;
}

/**
 * The Redis floor: ioredis with one Lua script per logical operation (a conditional save that
 * bumps the version, keeps indexes by state, label and expiry), HMGET for reads, and MULTI for
 * batches, so round trips match the adapter's.
 */
async function rawRedis(env: BenchEnv, slot: string): Promise<Target> {
  const redis = new Redis(env.redisUrl, { lazyConnect: true }) as RawRedis;
  redis.defineCommand('benchSave', { numberOfKeys: 0, lua: SAVE });
  redis.defineCommand('benchAppend', { numberOfKeys: 0, lua: APPEND });
  redis.defineCommand('benchScan', { numberOfKeys: 0, lua: SCAN });
  redis.defineCommand('benchSweep', { numberOfKeys: 0, lua: SWEEP });
  await redis.connect();
  const P = `${env.redisPrefix}raw_${slot}:`;
  const saveArgs = (doc: BenchDoc, expires: string): string[] => [
    P,
    doc.id,
    String(Date.now()),
    JSON.stringify(doc.data),
    doc.state,
    JSON.stringify(doc.labels),
    tokens(doc.labels),
    expires,
  ];
  const saveAll = async (docs: readonly BenchDoc[], expires: string) => {
    const multi = redis.multi();
    for (const doc of docs) (multi as unknown as RawRedis).benchSave(...saveArgs(doc, expires));
    const results = await multi.exec();
    for (const [error] of results ?? []) if (error) throw error;
  };
  // Builds what a session read must hand back (parsed data and labels, numeric version and
  // timestamps), as the adapter does, so a get compares the same work on both sides.
  const decode = (r: (string | null)[]) => {
    const [d, e, t, l, v, c, u] = r;
    if (d === null || d === undefined) return null;
    const expiresAt = e === '' || e === null || e === undefined ? null : Number(e);
    if (expiresAt !== null && expiresAt <= Date.now()) return null;
    return {
      data: JSON.parse(d) as JsonValue,
      state: t,
      labels: JSON.parse(l ?? '{}') as Record<string, string>,
      version: Number(v),
      createdAt: Number(c),
      updatedAt: Number(u),
      expiresAt,
    };
  };
  const FIELDS = ['d', 'e', 't', 'l', 'v', 'c', 'u'];
  const list = async (ix: string) => {
    const out = await redis.benchScan(P, ix, String(Date.now()), '100');
    return Array.isArray(out) ? out.map((d) => JSON.parse(d) as JsonValue).length : 0;
  };
  const count = async (ix: string) => Number(await redis.benchScan(P, ix, String(Date.now()), '0'));

  return {
    name: 'raw-redis',
    backend: 'redis',
    kind: 'raw',
    skips: {},
    async save(doc) {
      await redis.benchSave(...saveArgs(doc, ''));
    },
    get: async (id) => decode(await redis.hmget(`${P}s:${id}`, ...FIELDS)),
    async append(id, message) {
      const length = await redis.benchAppend(P, id, String(Date.now()), JSON.stringify(message));
      if (length < 0) throw new Error(`session ${id} not found`);
    },
    saveMany: (docs) => saveAll(docs, ''),
    async getMany(ids) {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hmget(`${P}s:${id}`, ...FIELDS);
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, r]) => {
        if (error) throw error;
        return decode(r as (string | null)[]);
      });
    },
    query: {
      async seed(docs) {
        for (let i = 0; i < docs.length; i += 1000) await saveAll(docs.slice(i, i + 1000), '');
      },
      listByState: (state) => list(`ix:t:${state}`),
      listByLabel: (key, value) => list(`ix:l:${key}=${value}`),
      countByState: (state) => count(`ix:t:${state}`),
      countByLabel: (key, value) => count(`ix:l:${key}=${value}`),
    },
    sweep: {
      async seedExpired(docs) {
        for (let i = 0; i < docs.length; i += 1000) await saveAll(docs.slice(i, i + 1000), '1');
      },
      async sweepAll() {
        let total = 0;
        for (;;) {
          const removed = await redis.benchSweep(P, String(Date.now()));
          total += removed;
          if (removed === 0) return total;
        }
      },
    },
    async close() {
      await redis.quit();
    },
  };
}

/** The raw ioredis target. */
export function rawRedisSpec(env: BenchEnv): TargetSpec {
  return {
    name: 'raw-redis',
    backend: 'redis',
    kind: 'raw',
    create: (slot) => rawRedis(env, slot),
  };
}
