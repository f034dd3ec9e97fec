import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { startLoad, untypedFailures } from './support/load.js';
import { pollUntil, redisProcess } from './support/redis-process.js';

const server = redisProcess(6390);

beforeAll(() => server.start());
afterAll(() => server.destroy());

describe('a redis-server killed with SIGKILL under load', () => {
  it('fails calls with typed outage errors, recovers by itself and keeps every acknowledged write', async () => {
    const storage = createStorage({
      adapter: redisAdapter({ url: server.url, namespace: 'restart' }),
      timeout: 1000,
    });
    await storage.sessions.save({ id: 'log', data: null });
    const load = startLoad(storage, 'r', 'log');
    await pollUntil('writes before the crash', async () => load.report.acknowledged.size >= 200);

    await server.kill();
    const failedBefore = load.report.failures.length;
    await pollUntil('failures during the outage', async () => {
      return load.report.failures.length >= failedBefore + 20;
    });
    await server.start();
    const ackedAfterRestart = load.report.acknowledged.size;
    await pollUntil('writes after the restart', async () => {
      return load.report.acknowledged.size >= ackedAfterRestart + 200;
    });
    await load.stop();

    expect(untypedFailures(load.report.failures)).toEqual([]);
    const ids = [...load.report.acknowledged.keys()];
    const stored = await storage.sessions.getMany(ids);
    const lost = ids.filter((id, i) => stored[i]?.data !== load.report.acknowledged.get(id));
    expect(lost).toEqual([]);
    // Each message was retried with its own key until acknowledged: no gap, no duplicate.
    expect(await storage.messages.range('log')).toEqual(load.report.appended);
    await storage.close();
  });

  it('turns calls during the outage into ConnectionError instead of queueing them', async () => {
    const storage = createStorage({
      adapter: redisAdapter({ url: server.url, namespace: 'outage' }),
      timeout: 5000,
    });
    await storage.kv.set('k', 1);
    await server.kill();
    await expect(storage.kv.get('k')).rejects.toMatchObject({ code: 'CONNECTION' });
    await server.start();
    await pollUntil('the adapter to reconnect', async () => (await storage.kv.get('k')) === 1);
    await storage.close();
  });
});
