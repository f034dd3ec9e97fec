import { exportRecords, isCounterText, type JsonValue } from '@stowage/core';
import { type Command, JSON_OPTION, STORAGE_OPTIONS } from '../command.js';
import { adapterFor, closingAfter, targetOptions } from '../open-adapter.js';

/** What `inspect` reports. */
export interface InspectReport {
  adapter: string;
  /** The adapter's own health details (read after the scan, which opened it). */
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
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** `stowage inspect <url>`. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'count live sessions by state, messages and kv entries, with their sizes',
  args: ['url'],
  help: `Reads the whole backend once, a page at a time (bounded memory), and reports live
sessions by state, stored sizes (encoded bytes), messages and kv entries, plus the adapter's
health details. Expired items are not counted: they are invisible to reads whether or not the
sweeper has removed them yet ("stowage sweep" removes them now).`,
  options: { ...STORAGE_OPTIONS, ...JSON_OPTION },
  async run({ args, options, out }) {
    const [url] = args as [string];
    const adapter = await adapterFor(url, targetOptions(options));
    return closingAfter([adapter], async () => {
      const report: InspectReport = {
        adapter: adapter.name,
        health: {},
        sessions: { total: 0, byState: {}, withExpiry: 0, dataBytes: 0, largestBytes: 0 },
        messages: { total: 0, bytes: 0, sessionsWithMessages: 0, longest: 0 },
        kv: { total: 0, counters: 0, withExpiry: 0, bytes: 0 },
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
      report.health = adapter.health ? await adapter.health() : {};
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
      for (const [key, value] of Object.entries(report.health)) {
        await out(`  ${key.padEnd(16)} ${JSON.stringify(value)}`);
      }
      return 0;
    });
  },
};
