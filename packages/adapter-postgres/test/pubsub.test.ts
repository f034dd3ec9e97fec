import type { JsonValue } from '@stowage/core';
import { createStorage } from '@stowage/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresAdapter } from '../src/index.js';
import { notifyChannel } from '../src/listen-client.js';
import { useFixture } from './support/fixture.js';
import { adminQuery, SHARED_URL } from './support/shared-server.js';
import { waitUntil } from './support/wait.js';

const fixture = useFixture();

/** A subscriber's inbox that tests wait on by polling. */
function inbox(): { got: JsonValue[]; handler: (m: JsonValue) => void } {
  const got: JsonValue[] = [];
  return { got, handler: (m) => void got.push(m) };
}

/** Backend pids of the listening connections of a namespace (named after its channel). */
async function listenerPids(namespace: string): Promise<number[]> {
  const rows = await adminQuery<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [notifyChannel(`${fixture.schema}.${namespace}`)],
  );
  return rows.map((r) => r.pid);
}

describe('postgres pub/sub', () => {
  it('a message over the NOTIFY size limit arrives whole, in order with small ones', async () => {
    const storage = fixture.open();
    const box = inbox();
    const off = await storage.subscribe('big', box.handler);
    const large = 'x'.repeat(50_000);
    await storage.publish('big', 'before');
    await storage.publish('big', { large });
    await storage.publish('big', 'after');
    await waitUntil(async () => expect(box.got).toHaveLength(3), 5_000);
    expect(box.got).toEqual(['before', { large }, 'after']);
    await off();
  });

  it('a message published just before subscribe never reaches that subscriber', async () => {
    const storage = fixture.open();
    // An existing subscription keeps the connection listening, so early messages do arrive.
    const offWarm = await storage.subscribe('warm', () => {});
    for (let round = 0; round < 30; round++) {
      const channel = `early-${round}`;
      await storage.publish(channel, 'early');
      const box = inbox();
      const off = await storage.subscribe(channel, box.handler);
      await storage.publish(channel, 'late');
      await waitUntil(async () => expect(box.got).toContain('late'), 5_000);
      expect(box.got).toEqual(['late']);
      await off();
    }
    await offWarm();
  });

  it('stored large messages are swept by a later large publish once past retention', async () => {
    const storage = fixture.open();
    const table = `"${fixture.schema}".stowage_pubsub`;
    await storage.publish('sweep', 'y'.repeat(9_000));
    const before = await adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    expect(before[0]?.n).toBeGreaterThan(0);
    fixture.clock.advance(120_000);
    await storage.publish('sweep', 'z'.repeat(9_000));
    const after = await adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    expect(after[0]?.n).toBe(1);
  });

  it('channel names with quotes, spaces, non-ASCII and 200 characters stay distinct', async () => {
    const storage = fixture.open();
    const names = ['a"b', "it's", 'with space', 'ünï-😀', 'c'.repeat(200), 'c'.repeat(199)];
    const boxes = names.map(() => inbox());
    const offs = await Promise.all(
      names.map((n, i) => storage.subscribe(n, boxes[i]?.handler ?? (() => {}))),
    );
    for (const name of names) await storage.publish(name, name);
    await waitUntil(async () => expect(boxes.every((b) => b.got.length >= 1)).toBe(true), 5_000);
    expect(boxes.map((b) => b.got)).toEqual(names.map((n) => [n]));
    for (const off of offs) await off();
  });

  it('a terminated listening connection is reopened and LISTEN is issued again', async () => {
    const errors: Error[] = [];
    const storage = fixture.open({
      namespace: 'reconnect',
      onBackgroundError: (error) => errors.push(error),
    });
    const box = inbox();
    const off = await storage.subscribe('survives', box.handler);
    const [pid] = await listenerPids('reconnect');
    expect(pid).toBeDefined();
    await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
    // Delivery is at most once: messages sent while the connection is down are lost, so keep
    // publishing until one gets through the new connection.
    let sent = 0;
    await waitUntil(async () => {
      await storage.publish('survives', sent++);
      expect(box.got.length).toBeGreaterThan(0);
    }, 15_000);
    const pids = await listenerPids('reconnect');
    expect(pids).toHaveLength(1);
    expect(pids).not.toContain(pid);
    expect(errors.length).toBeGreaterThan(0);
    await off();
  });

  it('with a pool passed in, the listener holds one of its clients and destroys it on close', async () => {
    const pool = new pg.Pool({ connectionString: SHARED_URL, max: 3 });
    const storage = createStorage(
      postgresAdapter({ connection: pool, schema: fixture.schema, namespace: 'lent' }),
    );
    try {
      const box = inbox();
      await storage.subscribe('lent', box.handler);
      await storage.publish('lent', 'through the lent pool');
      await waitUntil(async () => expect(box.got).toEqual(['through the lent pool']), 5_000);
      expect(pool.totalCount - pool.idleCount).toBe(1);
      await storage.close();
      expect(pool.totalCount - pool.idleCount).toBe(0);
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await storage.close();
      await pool.end();
    }
  });
});
