import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  CorruptionError,
  composeCodecs,
  compressed,
  createStorage,
  encrypted,
  jsonCodec,
  memoryAdapter,
} from '../src/index.js';

const big = JSON.stringify({ text: 'the quick brown fox jumps over the lazy dog '.repeat(200) });

describe('compressed()', () => {
  it('keeps values under the threshold as plain JSON', () => {
    const codec = compressed({ threshold: 1024 });
    expect(codec.encode('{"a":1}')).toBe('{"a":1}');
    expect(codec.decode('{"a":1}')).toBe('{"a":1}');
  });

  it('compresses large values into a smaller marked JSON string and back', () => {
    for (const algorithm of ['brotli', 'deflate'] as const) {
      const codec = compressed({ threshold: 100, algorithm });
      const stored = codec.encode(big);
      expect(stored.startsWith(algorithm === 'brotli' ? '"z1:br:' : '"z1:df:')).toBe(true);
      expect(JSON.parse(stored)).toBeTypeOf('string');
      expect(stored.length).toBeLessThan(big.length / 5);
      expect(codec.decode(stored)).toBe(big);
    }
  });

  it('stores incompressible values plain when compressing would not save space', () => {
    const noise = JSON.stringify(randomBytes(2000).toString('base64'));
    expect(compressed({ threshold: 10 }).encode(noise)).toBe(noise);
  });

  it('reads values whatever algorithm wrote them', () => {
    const stored = compressed({ threshold: 0, algorithm: 'deflate' }).encode(big);
    expect(compressed({ algorithm: 'brotli' }).decode(stored)).toBe(big);
  });

  it('never mistakes a small plain string for a compressed one', async () => {
    const storage = createStorage(memoryAdapter(), { codec: compressed({ threshold: 4096 }) });
    await storage.kv.set('lookalike', 'z1:br:AAAA');
    await storage.sessions.save({ id: 's', data: 'z1:df:' });
    expect(await storage.kv.get('lookalike')).toBe('z1:br:AAAA');
    expect((await storage.sessions.get('s'))?.data).toBe('z1:df:');
    await storage.close();
  });

  it('turns a damaged compressed value into CorruptionError', async () => {
    const inner = memoryAdapter();
    const writer = createStorage({ ...inner, close: async () => {} });
    // Written by a storage without the codec: looks compressed but is not valid brotli.
    await writer.kv.set('bad', 'z1:br:AAAAAAAA');
    const reader = createStorage({ ...inner, close: async () => {} }, { codec: compressed() });
    await expect(reader.kv.get('bad')).rejects.toBeInstanceOf(CorruptionError);
    await writer.close();
    await reader.close();
    await inner.close();
  });

  it('refuses malformed compressed values', () => {
    const codec = compressed();
    for (const bad of ['"z1:"', '"z1:xx:AAAA"', '"z1:br:AA!A"', '"z1:br:AAAA']) {
      expect(() => codec.decode(bad), bad).toThrow('malformed');
    }
  });

  it('refuses bad options with ConfigError', () => {
    expect(() => compressed({ threshold: -1 })).toThrow(ConfigError);
    expect(() => compressed({ level: 12 })).toThrow(ConfigError);
    expect(() => compressed({ algorithm: 'deflate', level: 10 })).toThrow(ConfigError);
    expect(() => compressed({ algorithm: 'gzip' as 'brotli' })).toThrow(ConfigError);
  });
});

describe('composeCodecs()', () => {
  const key = randomBytes(32);

  it('compresses then encrypts, and decodes in reverse', async () => {
    const codec = composeCodecs(compressed({ threshold: 100 }), encrypted({ keys: { k1: key } }));
    expect(codec.name).toBe('compressed+encrypted');
    const stored = codec.encode(big);
    expect(stored.startsWith('"enc:v1:k1:')).toBe(true);
    const inner = encrypted({ keys: { k1: key } }).decode(stored);
    expect(inner.startsWith('"z1:br:')).toBe(true);
    // Compressing first is what makes the pair worth it: the stored form stays small.
    expect(stored.length).toBeLessThan(big.length / 3);
    expect(codec.decode(stored)).toBe(big);

    const storage = createStorage(memoryAdapter(), { codec });
    await storage.sessions.save({ id: 'doc', data: JSON.parse(big) });
    expect((await storage.sessions.get('doc'))?.data).toEqual(JSON.parse(big));
    await storage.close();
  });

  it('asks the rotating codec whether a value is stale', () => {
    const old = composeCodecs(compressed({ threshold: 10 }), encrypted({ keys: { k1: key } }));
    const rotated = composeCodecs(
      compressed({ threshold: 10 }),
      encrypted({ keys: { k1: key, k2: randomBytes(32) }, current: 'k2' }),
    );
    expect(rotated.needsRekey(old.encode(big))).toBe(true);
    expect(rotated.needsRekey(rotated.encode(big))).toBe(false);
    // Encryption inside compression is found by peeling the outer layer off.
    const inverted = composeCodecs(encrypted({ keys: { k1: key } }), compressed({ threshold: 10 }));
    const stored = inverted.encode(big);
    expect(
      composeCodecs(
        encrypted({ keys: { k1: key, k2: randomBytes(32) }, current: 'k2' }),
        compressed({ threshold: 10 }),
      ).needsRekey(stored),
    ).toBe(true);
    expect(composeCodecs(jsonCodec).needsRekey('{}')).toBe(false);
  });

  it('refuses an empty chain or a non-codec', () => {
    expect(() => composeCodecs()).toThrow(ConfigError);
    expect(() => composeCodecs({} as typeof jsonCodec)).toThrow(ConfigError);
  });
});
