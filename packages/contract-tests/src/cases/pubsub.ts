import type { JsonValue } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Real-time bound on waiting for a delivery; a correct adapter delivers in milliseconds. */
const DELIVERY_BOUND_MS = 5_000;

/** Collects what a subscription receives and waits for it by polling, never by fixed sleeps. */
function inbox(): {
  handler: (m: JsonValue) => void;
  got: JsonValue[];
  until(n: number, what: string): Promise<void>;
} {
  const got: JsonValue[] = [];
  return {
    got,
    handler: (m) => {
      got.push(m);
    },
    async until(n, what) {
      const started = Date.now();
      while (got.length < n) {
        if (Date.now() - started > DELIVERY_BOUND_MS) {
          assert.fail(
            `${what}: ${got.length} of ${n} messages arrived within ${DELIVERY_BOUND_MS} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

/** Pub/sub cases: fan-out, channel isolation, unsubscribe, handler isolation and payloads. */
export const pubsubCases: ContractCase[] = group('pubsub', [
  {
    name: 'a message reaches every subscriber of its channel, in this storage and another',
    async run({ storage, openStorage, id }) {
      const channel = id('ch');
      const other = await openStorage();
      const a = inbox();
      const b = inbox();
      const c = inbox();
      const offs = [
        await storage.subscribe(channel, a.handler),
        await storage.subscribe(channel, b.handler),
        await other.subscribe(channel, c.handler),
      ];
      await storage.publish(channel, { hello: 'world' });
      await Promise.all([a.until(1, 'a'), b.until(1, 'b'), c.until(1, 'c')]);
      for (const box of [a, b, c]) assert.deepEqual(box.got, [{ hello: 'world' }]);
      for (const off of offs) await off();
    },
  },
  {
    name: 'a message reaches only subscribers of its own channel',
    async run({ storage, id }) {
      const first = id('ch');
      const second = id('ch');
      const a = inbox();
      const b = inbox();
      const offA = await storage.subscribe(first, a.handler);
      const offB = await storage.subscribe(second, b.handler);
      await storage.publish(second, 'for second');
      await storage.publish(first, 'for first');
      await Promise.all([a.until(1, 'first'), b.until(1, 'second')]);
      assert.deepEqual(a.got, ['for first']);
      assert.deepEqual(b.got, ['for second']);
      await offA();
      await offB();
    },
  },
  {
    name: 'messages on one channel arrive in publish order',
    async run({ storage, id }) {
      const channel = id('ch');
      const box = inbox();
      const off = await storage.subscribe(channel, box.handler);
      for (let i = 0; i < 20; i++) await storage.publish(channel, i);
      await box.until(20, 'ordered');
      assert.deepEqual(
        box.got,
        Array.from({ length: 20 }, (_, i) => i),
      );
      await off();
    },
  },
  {
    name: 'after unsubscribe a handler receives nothing while other subscribers still do',
    async run({ storage, id }) {
      const channel = id('ch');
      const gone = inbox();
      const stays = inbox();
      const off = await storage.subscribe(channel, gone.handler);
      const offStays = await storage.subscribe(channel, stays.handler);
      await storage.publish(channel, 'before');
      await Promise.all([gone.until(1, 'before'), stays.until(1, 'before')]);
      await off();
      await off();
      await storage.publish(channel, 'after');
      await stays.until(2, 'after');
      assert.deepEqual(gone.got, ['before']);
      await offStays();
    },
  },
  {
    name: 'a throwing or rejecting handler is reported to onError and does not stop the others',
    async run({ openStorage, id }) {
      const errors: unknown[] = [];
      const storage = await openStorage({ onError: (error) => errors.push(error) });
      const channel = id('ch');
      const box = inbox();
      const offs = [
        await storage.subscribe(channel, () => {
          throw new Error('handler bug');
        }),
        await storage.subscribe(channel, async () => {
          throw new Error('async handler bug');
        }),
        await storage.subscribe(channel, box.handler),
      ];
      await storage.publish(channel, 1);
      await storage.publish(channel, 2);
      await box.until(2, 'healthy handler');
      assert.deepEqual(box.got, [1, 2]);
      const started = Date.now();
      while (errors.length < 4 && Date.now() - started < DELIVERY_BOUND_MS) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(errors.length, 4);
      for (const off of offs) await off();
    },
  },
  {
    name: 'messages of every JSON type round-trip',
    async run({ storage, id }) {
      const channel = id('ch');
      const values: JsonValue[] = [null, 0, false, '', 'héllo 👋', [], {}, { a: [1, { b: null }] }];
      const box = inbox();
      const off = await storage.subscribe(channel, box.handler);
      for (const value of values) await storage.publish(channel, value);
      await box.until(values.length, 'round trip');
      assert.deepEqual(box.got, values);
      await off();
    },
  },
  {
    name: 'publishing with no subscriber succeeds and is not delivered to later subscribers',
    async run({ storage, id }) {
      const channel = id('ch');
      await storage.publish(channel, 'nobody listens');
      const box = inbox();
      const off = await storage.subscribe(channel, box.handler);
      await storage.publish(channel, 'heard');
      await box.until(1, 'after subscribe');
      assert.deepEqual(box.got, ['heard']);
      await off();
    },
  },
  {
    name: 'bad channel names, messages and handlers are ValidationErrors',
    async run({ storage, id }) {
      await rejectsWith(storage.publish('', 1), 'VALIDATION', 'empty channel');
      await rejectsWith(
        storage.publish(id('ch'), undefined as unknown as JsonValue),
        'VALIDATION',
        'undefined',
      );
      await rejectsWith(
        storage.subscribe('a\u0000b', () => {}),
        'VALIDATION',
        'control character',
      );
      await rejectsWith(
        storage.subscribe(id('ch'), 'nope' as unknown as () => void),
        'VALIDATION',
        'handler',
      );
    },
  },
  {
    name: 'closing a storage ends its subscriptions',
    async run({ storage, openStorage, id }) {
      const channel = id('ch');
      const closing = await openStorage();
      const gone = inbox();
      const stays = inbox();
      await closing.subscribe(channel, gone.handler);
      const off = await storage.subscribe(channel, stays.handler);
      await closing.close();
      await storage.publish(channel, 'after close');
      await stays.until(1, 'open storage');
      assert.deepEqual(gone.got, []);
      await rejectsWith(
        closing.subscribe(channel, () => {}),
        'CLOSED',
        'subscribe after close',
      );
      await off();
    },
  },
]);
