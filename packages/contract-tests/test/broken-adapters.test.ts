import { describe, expect, it } from 'vitest';
import { allCases, memoryBackend, runAdapterContract } from '../src/index.js';
import { BREAKAGES, brokenBackend } from './broken-adapters.js';

/** The cases each broken adapter must fail, by `group / name`. Others may fail too. */
const EXPECTED_FAILURES: Record<keyof typeof BREAKAGES, string[]> = {
  'ignores expectedVersion': [
    'versions / a stale save is a ConflictError carrying the current version and changes nothing',
    'versions / expectedVersion 0 on an existing session is a ConflictError and keeps the session',
    'versions / a stale save never resurrects a deleted session',
    'versions / delete with a stale expectedVersion is a ConflictError and keeps the session',
    'concurrency / 50 concurrent update calls on one session lose no increment',
    'concurrency / of 20 concurrent create-only saves exactly one succeeds and the rest conflict',
  ],
  'returns expired items': [
    'ttl / a session is visible 1 ms before expiresAt and gone at expiresAt',
    'ttl / an expired session is invisible to get and getMany',
    'ttl / an expired session is invisible to list, count, iterate and deleteWhere',
    'ttl / a kv entry is visible 1 ms before its ttl ends and gone for get, has, getMany and keys after',
  ],
  'expires 1 ms late': [
    'ttl / a session is visible 1 ms before expiresAt and gone at expiresAt',
    'ttl / a kv entry is visible 1 ms before its ttl ends and gone for get, has, getMany and keys after',
  ],
  'skips an item at each page boundary': [
    'list / ascending cursor pages cover every session exactly once',
    'list / descending cursor pages cover every session exactly once',
    'list / sessions inserted between pages never make an existing session skip or repeat',
    'list / iterate yields every matching session once, across pages',
  ],
  'applies half of a failed batch while claiming atomicBatch': [
    'batch / with atomic batches a version conflict on one saveMany item writes none of them',
    'batch / with atomic batches a create-only conflict in saveMany writes none of the items',
  ],
  'ignores the idempotency key': [
    'messages / an idempotency key never appends twice and the retry returns the current length',
    'concurrency / concurrent appends with one idempotency key append exactly once',
  ],
  'treats the kv prefix as a glob': [
    'kv / glob and pattern characters in a prefix match only literally',
  ],
  'rewrites the session on touch': [
    'ttl / touch extends the expiry without changing data, version or updatedAt',
  ],
  'keeps messages after their session is gone': [
    'messages / deleting the session removes its messages, also for a re-created session',
    'ttl / an expired session is re-created at version 1 without its old messages',
    'list / deleteWhere removes the messages of the sessions it deletes',
    'ttl / an expired session has no messages: range is empty, length 0, append is NotFound',
  ],
  'hands a leased job to a second worker': [
    'queues / 50 concurrent dequeues of 20 jobs hand out 20 distinct jobs, each to one worker',
  ],
  'never redelivers after the visibility timeout': [
    'queues / an unacked job is hidden for its visibility timeout, then redelivered with attempts + 1',
    'queues / a job whose last lease runs out moves to the dead-letter list instead of being redelivered',
  ],
  'accepts a stale lease token': [
    'queues / a stale ack, nack or extend after redelivery is a LEASE_LOST error and leaves the new delivery alone',
  ],
  'delivers to one subscriber per channel': [
    'pubsub / a message reaches every subscriber of its channel, in this storage and another',
  ],
  'returns getMany results in storage order': [
    'batch / getMany keeps input order and returns null for missing ids',
  ],
};

describe('the suite on the reference adapter', () => {
  it('the memory adapter passes every case and skips none', async () => {
    const results = await runAdapterContract({ name: 'memory', ...memoryBackend() });
    const notPassed = results.filter((r) => r.status !== 'passed');
    expect(notPassed.map((r) => `${r.group} / ${r.name}: ${String(r.error)}`)).toEqual([]);
    expect(results).toHaveLength(allCases.length);
  });

  it('the suite has well over 100 cases with unique names in every group', () => {
    expect(allCases.length).toBeGreaterThan(150);
    const names = allCases.map((c) => `${c.group}/${c.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('an excluded case is left out of the run by name or by group/name', async () => {
    const [first, second] = allCases;
    const results = await runAdapterContract({
      name: 'memory',
      ...memoryBackend(),
      exclude: [first?.name ?? '', `${second?.group}/${second?.name}`],
    });
    expect(results).toHaveLength(allCases.length - 2);
    expect(results.map((r) => r.name)).not.toContain(first?.name);
  });
});

describe('the suite catches broken adapters', () => {
  for (const [breakage, expected] of Object.entries(EXPECTED_FAILURES)) {
    it(`an adapter that ${breakage} fails the cases that check it`, async () => {
      const results = await runAdapterContract({
        name: breakage,
        ...brokenBackend(BREAKAGES[breakage] ?? {}),
      });
      const failed = results
        .filter((r) => r.status === 'failed')
        .map((r) => `${r.group} / ${r.name}`);
      for (const name of expected) {
        expect(
          allCases.some((c) => `${c.group} / ${c.name}` === name),
          name,
        ).toBe(true);
      }
      expect(failed).toEqual(expect.arrayContaining(expected));
    });
  }
});
