import { ConfigError } from '@stowage/core';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type RedisAdapterOptions, redisAdapter } from '../src/index.js';

function configError(options: RedisAdapterOptions): unknown {
  try {
    redisAdapter(options);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('redisAdapter options', () => {
  it.each([['a:b'], ['1abc'], ['{x}'], [''], ['a*'], ['x'.repeat(49)]])(
    'refuses namespace %j with a ConfigError before connecting',
    (namespace) => {
      const error = configError({ namespace });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ adapter: 'redis' });
    },
  );

  it('refuses an unknown durability', () => {
    expect(configError({ durability: 'disk' as RedisAdapterOptions['durability'] })).toBeInstanceOf(
      ConfigError,
    );
  });

  it('refuses a url that is not redis:// or rediss://', () => {
    expect(configError({ url: 'http://127.0.0.1:6379' })).toBeInstanceOf(ConfigError);
  });

  it('refuses a client together with connection options', () => {
    const client = new Redis({ lazyConnect: true });
    expect(configError({ client, url: 'redis://127.0.0.1:6379' })).toBeInstanceOf(ConfigError);
    client.disconnect();
  });

  it('refuses an empty cluster node list and a negative expiry margin', () => {
    expect(configError({ cluster: [] })).toBeInstanceOf(ConfigError);
    expect(configError({ expiryMarginMs: -1 })).toBeInstanceOf(ConfigError);
  });

  it('refuses an ioredis keyPrefix, which would split the namespace keys', () => {
    expect(configError({ redis: { keyPrefix: 'app:' } })).toBeInstanceOf(ConfigError);
    const client = new Redis({ lazyConnect: true, keyPrefix: 'app:' });
    expect(configError({ client })).toBeInstanceOf(ConfigError);
    client.disconnect();
  });

  it('keeps a password out of the message of an invalid url', () => {
    const error = configError({ url: 'redis://user:s3cret@[bad' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).not.toContain('s3cret');
  });
});
