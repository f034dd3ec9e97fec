import type { BackendInspector } from '@stowage/contract-tests/vitest';
import { type StowageAdapter, systemClock } from '@stowage/core';

// At time 0 nothing has expired yet, so a read through the drivers sees what is physically
// stored, swept or not: the view an inspector needs.
const PHYSICAL = { now: 0 };

/**
 * An inspector for a composition that reads its parts through fresh adapter instances of their
 * own, bypassing the composition: sessions and messages from `sessions`, kv from `kv`. Each
 * adapter is checked by its own contract run; this checks where the composition put the data.
 */
export async function partsInspector(parts: {
  sessions: StowageAdapter;
  kv: StowageAdapter;
}): Promise<BackendInspector> {
  const adapters = [...new Set([parts.sessions, parts.kv])];
  for (const adapter of adapters) await adapter.open?.({ clock: systemClock, timeoutMs: 10_000 });
  return {
    async sessionExists(id) {
      return (await parts.sessions.sessions?.get(id, PHYSICAL)) != null;
    },
    async messageCount(sessionId) {
      return (await parts.sessions.messages?.length(sessionId, PHYSICAL)) ?? 0;
    },
    async kvExists(key) {
      return (await parts.kv.kv?.get(key, PHYSICAL)) !== undefined;
    },
    async close() {
      await Promise.all(adapters.map((a) => a.close()));
    },
  };
}
