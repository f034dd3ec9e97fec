import {
  BackendError,
  isExpired,
  type KvDriver,
  type KvWrite,
  parseCounter,
  ValidationError,
} from '@stowage/core';
import { ADAPTER } from './errors.js';
import { decodeId, encodeId } from './keys.js';
import {
  deleteEntries,
  expireEntry,
  getEntriesScript,
  incrementEntry,
  scanKeys,
  setEntries,
  setEntryIfAbsent,
} from './lua/kv-scripts.js';
import type { ScriptRunner } from './script-runner.js';
import { SCAN_BUDGET } from './session-driver.js';

const expiry = (expiresAt: number | null): string => (expiresAt === null ? '' : String(expiresAt));

type Row = (string | null)[];

const writeArgs = (w: KvWrite): string[] => [encodeId(w.key), w.value, expiry(w.expiresAt)];

/**
 * The key-value primitives. Entries are hashes holding the value and its logical expiry; a
 * lex-ordered index of encoded keys serves `keys()` without SCAN, in code-point order.
 */
export function kvDriver(runner: ScriptRunner): KvDriver & Required<Pick<KvDriver, 'getEntries'>> {
  // Plain HMGETs with the expiry decided here, like session reads.
  const live = (row: Row, now: number): string | undefined => {
    const [value, expiresAt] = row;
    if (value === null || value === undefined) return undefined;
    return isExpired(expiresAt ? Number(expiresAt) : null, now) ? undefined : value;
  };
  /** `[value, expiresAt]` of each key, in order, as stored (expired ones included). */
  const rows = async (keys: readonly string[], op: string, now: number): Promise<Row[]> => {
    if (keys.length === 1) {
      const name = `${runner.prefix}k:${encodeId(keys[0] as string)}`;
      return [await runner.command(op, (c) => c.hmget(name, 'v', 'e'))];
    }
    // One script rather than a pipeline of HMGETs: no command, promise and timer per key.
    const flat = (await runner.read(getEntriesScript, now, keys.map(encodeId))) as Row;
    return keys.map((_, i) => flat.slice(2 * i, 2 * i + 2));
  };
  const getAll = async (keys: readonly string[], now: number) =>
    (await rows(keys, keys.length === 1 ? 'kv.get' : 'kv.getMany', now)).map((row) =>
      live(row, now),
    );
  const deleteAll = async (keys: readonly string[], now: number) =>
    Number(await runner.write(deleteEntries, now, keys.map(encodeId)));

  return {
    async get(key, ctx) {
      return (await getAll([key], ctx.now))[0];
    },
    async getMany(keys, ctx) {
      return keys.length === 0 ? [] : getAll(keys, ctx.now);
    },
    async getEntries(keys, ctx) {
      if (keys.length === 0) return [];
      const found = await rows(keys, 'kv.getEntries', ctx.now);
      return keys.map((key, i): KvWrite | undefined => {
        const row = found[i] as Row;
        const value = live(row, ctx.now);
        return value === undefined
          ? undefined
          : { key, value, expiresAt: row[1] ? Number(row[1]) : null };
      });
    },
    async set(write, ctx) {
      await runner.write(setEntries, ctx.now, writeArgs(write));
    },
    async setMany(writes, ctx) {
      if (writes.length > 0) await runner.write(setEntries, ctx.now, writes.flatMap(writeArgs));
    },
    async delete(key, ctx) {
      return (await deleteAll([key], ctx.now)) > 0;
    },
    async deleteMany(keys, ctx) {
      return keys.length === 0 ? 0 : deleteAll(keys, ctx.now);
    },
    async keys({ prefix, limit, after }, ctx) {
      const from = encodeId(prefix);
      const afterHex = after === undefined ? undefined : encodeId(after);
      let bound =
        afterHex !== undefined && afterHex >= from
          ? `(${afterHex}`
          : from === ''
            ? '-'
            : `[${from}`;
      // Every extension of the hex prefix sorts below prefix + 'g' (hex digits end at 'f').
      const end = from === '' ? '+' : `(${from}g`;
      const found: string[] = [];
      for (;;) {
        const [next, hexKeys] = (await runner.read(scanKeys, ctx.now, [
          bound,
          end,
          Math.min(limit - found.length, SCAN_BUDGET),
          SCAN_BUDGET,
        ])) as [string, string[]];
        for (const hex of hexKeys) found.push(decodeId(hex));
        if (next === '' || found.length >= limit) return found;
        bound = next;
      }
    },
    async expire(key, expiresAt, ctx) {
      return (
        Number(await runner.write(expireEntry, ctx.now, [encodeId(key), expiry(expiresAt)])) === 1
      );
    },
    async increment(key, by, expiresAt, ctx) {
      const reply = (await runner.write(incrementEntry, ctx.now, [
        encodeId(key),
        by,
        expiry(expiresAt),
      ])) as string[];
      if (reply[0] === 'OK') return Number(reply[1]);
      if (reply[0] === 'NOTINT') parseCounter(reply[1] ?? '', key);
      if (reply[0] === 'NOTINT' || reply[0] === 'RANGE') {
        throw new ValidationError(
          `increment of ${JSON.stringify(key)} would leave the safe integer range`,
          { adapter: ADAPTER },
        );
      }
      throw new BackendError(`Redis returned an unexpected reply for kv.increment`, {
        adapter: ADAPTER,
      });
    },
    async setIfAbsent(write, ctx) {
      return Number(await runner.write(setEntryIfAbsent, ctx.now, writeArgs(write))) === 1;
    },
  };
}
