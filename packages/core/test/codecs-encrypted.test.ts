import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  CorruptionError,
  createStorage,
  encrypted,
  memoryAdapter,
  type StowageAdapter,
} from '../src/index.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

/** Two storages over one memory adapter's data, so one can read what the other wrote. */
function sharedMemory(): { view(): StowageAdapter; close(): Promise<void> } {
  const inner = memoryAdapter();
  return {
    view: () => ({ ...inner, close: async () => {} }),
    close: () => inner.close(),
  };
}

describe('encrypted()', () => {
  it('round-trips every kind of value and stores the enc:v1 form with the key id', async () => {
    const codec = encrypted({ keys: { k1 } });
    const stored = codec.encode('{"secret":"marker-ABC"}');
    expect(stored).toMatch(/^"enc:v1:k1:[A-Za-z0-9+/]+={0,2}"$/);
    expect(JSON.parse(stored)).toBeTypeOf('string');
    expect(stored).not.toContain('marker-ABC');
    expect(codec.decode(stored)).toBe('{"secret":"marker-ABC"}');
    expect(codec.keyIdOf(stored)).toBe('k1');
    expect(codec.currentKeyId).toBe('k1');

    const storage = createStorage(memoryAdapter(), { codec });
    await storage.sessions.save({ id: 's', data: { text: 'héllo 🌍', n: [1, null, true] } });
    expect((await storage.sessions.get('s'))?.data).toEqual({
      text: 'héllo 🌍',
      n: [1, null, true],
    });
    await storage.messages.append('s', [{ role: 'user' }, 'two']);
    expect(await storage.messages.range('s')).toEqual([{ role: 'user' }, 'two']);
    await storage.kv.set('k', ['x']);
    expect(await storage.kv.get('k')).toEqual(['x']);
    await storage.close();
  });

  it('uses a fresh IV for every value', () => {
    const codec = encrypted({ keys: { k1 } });
    const a = codec.encode('"same"');
    const b = codec.encode('"same"');
    expect(a).not.toBe(b);
    expect(Buffer.from(JSON.parse(a).split(':')[3], 'base64').subarray(0, 12)).not.toEqual(
      Buffer.from(JSON.parse(b).split(':')[3], 'base64').subarray(0, 12),
    );
  });

  it('reads values of retired keys and writes under the current one', async () => {
    const memory = sharedMemory();
    const before = createStorage(memory.view(), { codec: encrypted({ keys: { k1 } }) });
    await before.sessions.save({ id: 'old', data: { v: 1 } });
    const rotated = encrypted({ keys: { k1, k2 }, current: 'k2' });
    const after = createStorage(memory.view(), { codec: rotated });
    expect((await after.sessions.get('old'))?.data).toEqual({ v: 1 });
    expect(rotated.needsRekey(rotated.encode('1'))).toBe(false);
    expect(rotated.keyIdOf(rotated.encode('1'))).toBe('k2');
    await after.sessions.save({ id: 'new', data: { v: 2 } });
    // A reader that lost k2 cannot read the new value: it names an unknown key id.
    const error = await before.sessions.get('new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptionError);
    expect(((error as CorruptionError).cause as Error).message).toContain(
      'unknown encryption key id "k2"',
    );
    await before.close();
    await after.close();
    await memory.close();
  });

  it('turns tampered values, a wrong key or another context into CorruptionError', () => {
    const codec = encrypted({ keys: { k1 } });
    const stored = codec.encode('{"a":1}');
    const bytes = Buffer.from(JSON.parse(stored).split(':')[3], 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    const tampered = `"enc:v1:k1:${bytes.toString('base64')}"`;
    expect(() => codec.decode(tampered)).toThrow();
    expect(() => encrypted({ keys: { k1: k2 } }).decode(stored)).toThrow();
    expect(() => encrypted({ keys: { k1 }, context: 'other-app' }).decode(stored)).toThrow();
    // Relabelling the value with another key id fails too: the key id is authenticated.
    const relabelled = stored.replace('enc:v1:k1:', 'enc:v1:k2:');
    expect(() => encrypted({ keys: { k1, k2: k1 }, current: 'k1' }).decode(relabelled)).toThrow();
    expect(() => codec.decode('"enc:v1:k1:AAAA"')).toThrow('truncated');
    expect(() => codec.decode('"enc:v1:no key id"')).toThrow('malformed');
    expect(() => codec.decode('"enc:v1:k 1:AAAA"')).toThrow('malformed');
    // Any changed character changes the bytes, which the tag check refuses.
    const [head, payload] = [stored.slice(0, 11), stored.slice(11, -1)];
    const swapped = payload[20] === 'A' ? 'B' : 'A';
    expect(() =>
      codec.decode(`${head}${payload.slice(0, 20)}${swapped}${payload.slice(21)}"`),
    ).toThrow();
  });

  it('reports undecodable values through the facade as CorruptionError naming the item', async () => {
    const memory = sharedMemory();
    const plain = createStorage(memory.view());
    await plain.sessions.save({ id: 'clear', data: { a: 1 } });
    await plain.kv.set('flag', { on: true });
    const secure = createStorage(memory.view(), { codec: encrypted({ keys: { k1 } }) });
    const error = await secure.sessions.get('clear').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).message).toContain('"clear"');
    expect((error as CorruptionError).message).toContain('encrypted');
    await expect(secure.kv.get('flag')).rejects.toBeInstanceOf(CorruptionError);
    // acceptPlaintext reads data written before encryption was turned on.
    const moving = createStorage(memory.view(), {
      codec: encrypted({ keys: { k1 }, acceptPlaintext: true }),
    });
    expect((await moving.sessions.get('clear'))?.data).toEqual({ a: 1 });
    await Promise.all([plain.close(), secure.close(), moving.close()]);
    await memory.close();
  });

  it('leaves counters as bare integers that increment atomically', async () => {
    const storage = createStorage(memoryAdapter(), { codec: encrypted({ keys: { k1 } }) });
    expect(await storage.kv.increment('hits', 2)).toBe(2);
    expect(await storage.kv.increment('hits', 3)).toBe(5);
    expect(await storage.kv.get('hits')).toBe(5);
    await storage.close();
  });

  it('accepts 32-byte keys as bytes, hex or base64', () => {
    const raw = randomBytes(32);
    const value = encrypted({ keys: { a: raw } }).encode('"x"');
    for (const key of [raw.toString('hex'), raw.toString('base64'), new Uint8Array(raw)]) {
      expect(encrypted({ keys: { a: key } }).decode(value)).toBe('"x"');
    }
  });

  it('refuses bad keys and options with ConfigError that never shows the key', () => {
    const secret = 'not-a-key-but-secret-material';
    const bad: [string, () => unknown][] = [
      ['short', () => encrypted({ keys: { k: randomBytes(16) } })],
      ['string', () => encrypted({ keys: { k: secret } })],
      ['hex length', () => encrypted({ keys: { k: 'ab'.repeat(31) } })],
      ['id', () => encrypted({ keys: { 'a:b': k1 } })],
      ['empty', () => encrypted({ keys: {} })],
      ['ambiguous', () => encrypted({ keys: { k1, k2 } })],
      ['unknown current', () => encrypted({ keys: { k1 }, current: 'k9' })],
    ];
    for (const [name, build] of bad) {
      let error: unknown;
      try {
        build();
      } catch (caught) {
        error = caught;
      }
      expect(error, name).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
