import type { ExpiredCounts } from '@stowage/core';
import type { ScriptRunner } from './script-runner.js';

/**
 * `countExpired`: members of the expiry indexes (`ix:x` for sessions, `ix:kx` for kv, scored by
 * expiry) at or before `now`, two ZCOUNTs (O(log n), nothing loaded). Redis drops an expired
 * item's keys by itself `marginMs` after its expiry but leaves its index entries to the sweep,
 * so those counted that expired longer ago may already be gone from memory.
 */
export async function countExpired(
  runner: ScriptRunner,
  now: number,
  marginMs: number,
): Promise<ExpiredCounts> {
  const { prefix } = runner;
  const [sessions, kv] = await runner.command('countExpired', (client) =>
    Promise.all([
      client.zcount(`${prefix}ix:x`, '-inf', now),
      client.zcount(`${prefix}ix:kx`, '-inf', now),
    ]),
  );
  return { sessions, kv, serverExpiryAfterMs: marginMs };
}
