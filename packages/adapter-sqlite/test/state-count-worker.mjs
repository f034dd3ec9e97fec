// Runs `steps` random session writes of every kind against shared ids through the adapter,
// with the real clock, short lives and a background sweeper, then exits. Two of these at once
// on one file prove the per-state counters stay exact across processes.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { sqliteAdapter } from '../dist/index.js';

const [path, seedText, stepsText] = process.argv.slice(2);
let a = Number(seedText) >>> 0;
const next = () => {
  a = (a + 0x6d2b79f5) >>> 0;
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (below) => Math.floor(next() * below);
const pick = (items) => items[int(items.length)];
const STATES = ['open', 'done', 'held', 'x\u00e9'];
const IDS = Array.from({ length: 16 }, (_, i) => `s${i}`);

const adapter = sqliteAdapter({ path, sweepIntervalMs: 3, busyTimeoutMs: 20_000 });
await adapter.open({ clock: { now: () => Date.now() }, timeoutMs: 20_000 });
const { sessions, messages } = adapter;
const write = (id, now) => ({
  id,
  data: '{}',
  state: pick(STATES),
  labels: int(2) === 0 ? { tenant: `t${int(3)}` } : {},
  maxExpiresAt: null,
  ...(int(3) === 0 ? {} : { expiresAt: int(2) === 0 ? null : now + 1 + int(30) }),
});

for (let step = 0; step < Number(stepsText); step++) {
  const now = Date.now();
  const ctx = { now };
  const id = pick(IDS);
  try {
    switch (int(9)) {
      case 0:
      case 1:
        await sessions.save(write(id, now), ctx);
        break;
      case 2:
        await sessions.saveMany([write(id, now), write(`${id}b`, now)], ctx);
        break;
      case 3: {
        const createdAt = now - int(100);
        await sessions.restore(
          [
            {
              id,
              data: '{}',
              state: pick(STATES),
              labels: {},
              version: 1 + int(5),
              createdAt,
              updatedAt: createdAt,
              expiresAt: int(2) === 0 ? null : now - 5 + int(40),
              maxExpiresAt: null,
            },
          ],
          ctx,
        );
        break;
      }
      case 4:
        await sessions.delete(id, undefined, ctx);
        break;
      case 5:
        await sessions.deleteMany([id, pick(IDS)], ctx);
        break;
      case 6:
        await sessions.deleteWhere({ states: [pick(STATES)] }, ctx);
        break;
      case 7: {
        const current = await sessions.get(id, ctx);
        if (current) {
          const messageCount = await messages.length(id, ctx);
          await sessions.deleteIfUnchanged(id, { ...current, messageCount }, ctx);
        }
        break;
      }
      default:
        await adapter.sweep(1 + int(3), ctx);
    }
  } catch (error) {
    if (error?.code !== 'CONFLICT') throw error;
  }
  if (step % 4 === 0) await yieldToLoop();
}
await adapter.close();
process.stdout.write('done\n');
