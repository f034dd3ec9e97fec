import {
  type ExpiredCounts,
  exportRecords,
  isCounterText,
  type JsonValue,
  type StowageAdapter,
  systemClock,
} from '@stowage/core';
import { type Command, JSON_OPTION, STORAGE_OPTIONS } from '../command.js';
import { adapterFor, closingAfter, type TargetOptions, targetOptions } from '../open-adapter.js';

/** Expired items still stored, waiting for a sweep; null where the adapter cannot tell. */
export interface ExpiredReport {
  sessions: number | null;
  kv: number | null;
  /** See `ExpiredCounts.serverExpiryAfterMs` (Redis). */
  serverExpiryAfterMs?: number;
}

/** What `inspect` reports. */
export interface InspectReport {
  adapter: string;
  /** The adapter's own health details. */
  health: Record<string, JsonValue>;
  sessions: {
    total: number;
    byState: Record<string, number>;
    withExpiry: number;
    dataBytes: number;
    largestBytes: number;
  };
  messages: { total: number; bytes: number; sessionsWithMessages: number; longest: number };
  kv: { total: number; counters: number; withExpiry: number; bytes: number };
  /** Expired but not yet swept: invisible to reads, still taking space. */
  expired: ExpiredReport;
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** How long the probe before the scan waits for each call. */
const PROBE_TIMEOUT_MS = 5000;

/**
 * Counts expired items and reads health on an adapter of its own, opened and closed here: the
 * scan that follows drops expired items it meets on some backends (Redis), so counting after
 * it would report what the scan swept, not what was waiting.
 */
async function probe(
  url: string,
  options: TargetOptions,
): Promise<{ expired: ExpiredReport; health: Record<string, JsonValue> }> {
  const adapter: StowageAdapter = await adapterFor(url, options);
  return closingAfter([adapter], async () => {
    await adapter.open?.({ clock: systemClock, timeoutMs: PROBE_TIMEOUT_MS });
    const counts: ExpiredCounts | undefined = await adapter.countExpired?.({
      now: systemClock.now(),
    });
    const expired: ExpiredReport = counts
      ? { sessions: counts.sessions, kv: counts.kv }
      : { sessions: null, kv: null };
    if (counts?.serverExpiryAfterMs !== undefined) {
      expired.serverExpiryAfterMs = counts.serverExpiryAfterMs;
    }
    return { expired, health: adapter.health ? await adapter.health() : {} };
  });
}

const known = (n: number | null): string => (n === null ? 'unknown' : String(n));

/** The human-readable line about expired items (exported for tests). */
export function expiredLine(name: string, e: ExpiredReport): string {
  if (e.sessions === null && e.kv === null) {
    return `expired   unknown (the ${name} adapter cannot count expired items)`;
  }
  let line = `expired   ${known(e.sessions)} sessions, ${known(e.kv)} kv entries not swept yet`;
  if (e.serverExpiryAfterMs !== undefined) {
    line += ` (the server also drops expired data ${e.serverExpiryAfterMs / 1000} s after expiry; older ones may be index entries only)`;
  }
  return line;
}

/** `stowage inspect <url>`. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'count live sessions by state, messages, kv entries, sizes, and expired items not swept',
  args: ['url'],
  help: `Reads the whole backend once, a page at a time (bounded memory), and reports live
sessions by state, stored sizes (encoded bytes), messages and kv entries, and the adapter's
health details. Expired items are invisible to reads, so they are not in the live counts;
they are counted apart, without reading them, as "expired ... not swept yet": the space that
the background sweeper or "stowage sweep" reclaims ("unknown" when the adapter cannot tell).
Sizes are in bytes of stored (encoded) text.`,
  examples: [
    'stowage inspect sqlite:./app.db',
    'stowage inspect redis://127.0.0.1:6379 --namespace chat --json',
  ],
  options: { ...STORAGE_OPTIONS, ...JSON_OPTION },
  async run({ args, options, out }) {
    const [url] = args as [string];
    const { expired, health } = await probe(url, targetOptions(options));
    const adapter = await adapterFor(url, targetOptions(options));
    return closingAfter([adapter], async () => {
      const report: InspectReport = {
        adapter: adapter.name,
        health,
        sessions: { total: 0, byState: {}, withExpiry: 0, dataBytes: 0, largestBytes: 0 },
        messages: { total: 0, bytes: 0, sessionsWithMessages: 0, longest: 0 },
        kv: { total: 0, counters: 0, withExpiry: 0, bytes: 0 },
        expired,
      };
      let current = { id: '', messages: 0 };
      const endSession = () => {
        if (current.messages > 0) report.messages.sessionsWithMessages++;
        report.messages.longest = Math.max(report.messages.longest, current.messages);
      };
      for await (const record of exportRecords(adapter)) {
        if (record.kind === 'session') {
          endSession();
          const s = record.session;
          current = { id: s.id, messages: 0 };
          const size = bytes(s.data);
          report.sessions.total++;
          report.sessions.byState[s.state] = (report.sessions.byState[s.state] ?? 0) + 1;
          if (s.expiresAt !== null) report.sessions.withExpiry++;
          report.sessions.dataBytes += size;
          report.sessions.largestBytes = Math.max(report.sessions.largestBytes, size);
        } else if (record.kind === 'messages') {
          current.messages += record.items.length;
          report.messages.total += record.items.length;
          for (const item of record.items) report.messages.bytes += bytes(item);
        } else {
          report.kv.total++;
          if (isCounterText(record.entry.value)) report.kv.counters++;
          if (record.entry.expiresAt !== null) report.kv.withExpiry++;
          report.kv.bytes += bytes(record.entry.value);
        }
      }
      endSession();
      if (options.json) {
        await out(JSON.stringify(report));
        return 0;
      }
      const s = report.sessions;
      await out(`adapter   ${report.adapter}`);
      await out(
        `sessions  ${s.total} live (${s.withExpiry} with expiry), data ${s.dataBytes} bytes, largest ${s.largestBytes}`,
      );
      for (const [state, n] of Object.entries(s.byState).sort())
        await out(`  ${state.padEnd(16)} ${n}`);
      const m = report.messages;
      await out(
        `messages  ${m.total} in ${m.sessionsWithMessages} sessions, ${m.bytes} bytes, longest ${m.longest}`,
      );
      const kv = report.kv;
      await out(
        `kv        ${kv.total} entries (${kv.counters} counters, ${kv.withExpiry} with expiry), ${kv.bytes} bytes`,
      );
      await out(expiredLine(report.adapter, report.expired));
      if (Object.keys(report.health).length > 0) await out('health');
      for (const [key, value] of Object.entries(report.health)) {
        await out(`  ${key.padEnd(16)} ${JSON.stringify(value)}`);
      }
      return 0;
    });
  },
};
