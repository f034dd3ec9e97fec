import { createHash } from 'node:crypto';
import { compareIds, compareListPosition } from '../adapter-kit.js';
import type { Clock, ListPosition, StowageAdapter } from '../types.js';
import { addMessages, kvDigest, sessionHash } from './digest.js';
import { orderedMap } from './ordered-map.js';
import { COPY_CONCURRENCY, RESERVED_KEY_PREFIX } from './records.js';

/** One difference found by a verification. */
export interface VerifyProblem {
  /** What kind of item differs. */
  kind: 'session' | 'kv';
  /** The session id or kv key. */
  id: string;
  /** `missing` from the target, `extra` on the target, or `different` content. */
  problem: 'missing' | 'extra' | 'different';
}

/** Counts of one kind of data in a verification. */
export interface VerifyCounts {
  source: number;
  target: number;
  /** Present on both sides with different content. */
  different: number;
  missing: number;
  extra: number;
}

/** The result of comparing a source with its copy. */
export interface VerifyReport {
  /** True when both sides hold the same live sessions, messages and kv entries. */
  ok: boolean;
  sessions: VerifyCounts;
  kv: VerifyCounts;
  /** The first differences found (at most `maxProblems`), in keyset order. */
  problems: VerifyProblem[];
  /** SHA-256 over every source item's digest in order; equal to `targetChecksum` when ok. */
  sourceChecksum: string;
  /** The same over the target. */
  targetChecksum: string;
}

/** Settings of `verifyCopy`. */
export interface VerifySettings {
  batchSize: number;
  messageChunk: number;
  clock: Clock;
  maxProblems: number;
  signal?: AbortSignal | undefined;
  /** Called after every compared page with how many items both sides have had so far. */
  onPage?: ((done: number) => void) | undefined;
}

interface Digested<P> {
  position: P;
  digest: string;
}

async function* sessionDigests(
  adapter: StowageAdapter,
  s: VerifySettings,
): AsyncGenerator<Digested<ListPosition>> {
  const { sessions, messages } = adapter;
  if (!sessions) return;
  let after: ListPosition | undefined;
  for (;;) {
    s.signal?.throwIfAborted();
    const query = { order: 'asc' as const, limit: s.batchSize };
    const page = await sessions.list(after ? { ...query, after } : query, { now: s.clock.now() });
    const digests = orderedMap(page, COPY_CONCURRENCY, async (session) => {
      const hash = sessionHash(session);
      for (let offset = 0; messages; offset += s.messageChunk) {
        const end = offset + s.messageChunk - 1;
        const items = await messages.range(session.id, offset, end, { now: s.clock.now() });
        addMessages(hash, items);
        if (items.length < s.messageChunk) break;
      }
      return {
        position: { createdAt: session.createdAt, id: session.id },
        digest: hash.digest('hex'),
      };
    });
    yield* digests;
    const last = page.at(-1);
    if (!last || page.length < s.batchSize) return;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

async function* kvDigests(
  adapter: StowageAdapter,
  s: VerifySettings,
): AsyncGenerator<Digested<string>> {
  const { kv } = adapter;
  if (!kv) return;
  let after: string | undefined;
  for (;;) {
    s.signal?.throwIfAborted();
    const query = { prefix: '', limit: s.batchSize };
    const keys = await kv.keys(after === undefined ? query : { ...query, after }, {
      now: s.clock.now(),
    });
    const wanted = keys.filter((key) => !key.startsWith(RESERVED_KEY_PREFIX));
    if (wanted.length > 0) {
      const now = { now: s.clock.now() };
      // Without expiry reads, values alone are compared.
      const entries = kv.getEntries
        ? await kv.getEntries(wanted, now)
        : (await kv.getMany(wanted, now)).map((value, i) =>
            value === undefined ? undefined : { key: wanted[i] as string, value, expiresAt: null },
          );
      for (const entry of entries) {
        if (entry) yield { position: entry.key, digest: kvDigest(entry) };
      }
    }
    const last = keys.at(-1);
    if (last === undefined || keys.length < s.batchSize) return;
    after = last;
  }
}

function emptyCounts(): VerifyCounts {
  return { source: 0, target: 0, different: 0, missing: 0, extra: 0 };
}

/** Walks two keyset-ordered digest streams side by side, like a merge join. */
async function compare<P>(
  kind: VerifyProblem['kind'],
  source: AsyncGenerator<Digested<P>>,
  target: AsyncGenerator<Digested<P>>,
  order: (a: P, b: P) => number,
  idOf: (p: P) => string,
  report: {
    counts: VerifyCounts;
    problems: VerifyProblem[];
    sums: [ReturnType<typeof createHash>, ReturnType<typeof createHash>];
  },
  s: VerifySettings,
): Promise<void> {
  const { counts, problems, sums } = report;
  const note = (id: string, problem: VerifyProblem['problem']) => {
    counts[problem === 'different' ? 'different' : problem]++;
    if (problems.length < s.maxProblems) problems.push({ kind, id, problem });
  };
  let steps = 0;
  let x = await source.next();
  let y = await target.next();
  while (!x.done || !y.done) {
    const c = x.done ? 1 : y.done ? -1 : order(x.value.position, y.value.position);
    if (c <= 0 && !x.done) {
      counts.source++;
      sums[0].update(x.value.digest);
    }
    if (c >= 0 && !y.done) {
      counts.target++;
      sums[1].update(y.value.digest);
    }
    if (c < 0 && !x.done) note(idOf(x.value.position), 'missing');
    else if (c > 0 && !y.done) note(idOf(y.value.position), 'extra');
    else if (!x.done && !y.done && x.value.digest !== y.value.digest) {
      note(idOf(x.value.position), 'different');
    }
    if (++steps % s.batchSize === 0) s.onPage?.(counts.source);
    if (c <= 0) x = await source.next();
    if (c >= 0) y = await target.next();
  }
}

/**
 * Compares a source and its copy item by item in bounded memory: sessions (every field and
 * all messages) and kv entries (value and expiry), both in keyset order, reporting counts,
 * checksums and the first differing ids. Encoded text is compared in canonical JSON form.
 */
export async function verifyCopy(
  from: StowageAdapter,
  to: StowageAdapter,
  settings: VerifySettings,
): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const sums: [ReturnType<typeof createHash>, ReturnType<typeof createHash>] = [
    createHash('sha256'),
    createHash('sha256'),
  ];
  const sessions = emptyCounts();
  const kv = emptyCounts();
  const byId = (p: ListPosition) => p.id;
  await compare(
    'session',
    sessionDigests(from, settings),
    sessionDigests(to, settings),
    compareListPosition,
    byId,
    { counts: sessions, problems, sums },
    settings,
  );
  await compare(
    'kv',
    kvDigests(from, settings),
    kvDigests(to, settings),
    compareIds,
    (k: string) => k,
    { counts: kv, problems, sums },
    settings,
  );
  const bad = (c: VerifyCounts) => c.different + c.missing + c.extra;
  return {
    ok: bad(sessions) + bad(kv) === 0,
    sessions,
    kv,
    problems,
    sourceChecksum: sums[0].digest('hex'),
    targetChecksum: sums[1].digest('hex'),
  };
}
