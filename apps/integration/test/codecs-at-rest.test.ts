import { type Codec, createStorage } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { CODECS, dumpableBackends, unique } from './codecs-support.js';

const backends = dumpableBackends('rest', true);
afterAll(() => backends.cleanup());

for (const [label, makeCodec] of Object.entries(CODECS)) {
  describe(`${label} values at rest`, () => {
    for (const backend of backends.fresh()) {
      it(`${backend.name}: no plaintext is stored, yet state, labels and times stay queryable`, async () => {
        const codec: Codec = makeCodec();
        const secret = unique('SECRETMARKER');
        const visible = unique('visiblelabel');
        const storage = createStorage(backend.adapter(), { codec });
        const long = `${secret} `.repeat(200);
        await storage.sessions.save(
          {
            id: 'chat-1',
            data: { note: secret, long },
            state: 'archived',
            labels: { tag: visible },
          },
          { ttl: '1h' },
        );
        await storage.sessions.save({
          id: 'chat-2',
          data: { note: 'other' },
          labels: { tag: 'x' },
        });
        await storage.messages.append('chat-1', [{ text: secret }, { text: long }]);
        await storage.kv.set('profile', { email: secret }, { ttl: '1h' });
        await storage.kv.increment('visits', 3);
        const queue = storage.queue<{ job: string }>('mail');
        await queue.enqueue({ job: secret }, { id: 'job-1' });

        const raw = await backend.dump();
        // The dump is real: filterable fields are there in clear.
        expect(raw).toContain(visible);
        expect(raw).toContain('archived');
        expect(raw).not.toContain(secret);
        expect(raw).toContain('enc:v1:now:');

        const page = await storage.sessions.list({ labels: { tag: visible }, state: 'archived' });
        expect(page.items.map((s) => s.id)).toEqual(['chat-1']);
        expect(page.items[0]?.data).toEqual({ note: secret, long });
        const created = page.items[0]?.createdAt ?? 0;
        expect(await storage.sessions.count({ updatedAfter: created - 1, state: 'archived' })).toBe(
          1,
        );
        expect(await storage.messages.range('chat-1')).toEqual([{ text: secret }, { text: long }]);
        expect(await storage.kv.get('profile')).toEqual({ email: secret });
        expect(await storage.kv.increment('visits', 1)).toBe(4);
        expect((await queue.dequeue())?.payload).toEqual({ job: secret });
        await storage.close();
      });
    }
  });
}
