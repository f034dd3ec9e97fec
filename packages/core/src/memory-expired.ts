import { isExpired } from './adapter-kit.js';
import type { ExpiredCounts } from './types.js';

/**
 * `countExpired` of the memory adapter: expired sessions and kv entries still in its maps.
 * Reads drop an expired item they meet, the timer sweeps the rest; this counts what is left.
 */
export function countExpiredInMemory(
  sessions: Iterable<{ expiresAt: number | null }>,
  kv: Iterable<{ expiresAt: number | null }>,
  now: number,
): ExpiredCounts {
  const count = (items: Iterable<{ expiresAt: number | null }>): number => {
    let n = 0;
    for (const item of items) if (isExpired(item.expiresAt, now)) n++;
    return n;
  };
  return { sessions: count(sessions), kv: count(kv) };
}
