import { ConfigError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STOWAGE_URL, readConfig } from '../src/config.js';

describe('readConfig', () => {
  it('defaults to the SQLite file, port 3000 and a generated secret', () => {
    const config = readConfig({});
    expect(config.url).toBe(DEFAULT_STOWAGE_URL);
    expect(config.port).toBe(3000);
    expect(config.generatedSecret).toBe(true);
    expect(config.secret.length).toBeGreaterThanOrEqual(32);
    expect(readConfig({}).secret).not.toBe(config.secret);
  });

  it('reads STOWAGE_URL, STOWAGE_SECRET and PORT, including port 0', () => {
    const config = readConfig({
      STOWAGE_URL: 'redis://127.0.0.1:6379',
      STOWAGE_SECRET: 's'.repeat(40),
      PORT: '0',
    });
    expect(config).toEqual({
      url: 'redis://127.0.0.1:6379',
      port: 0,
      secret: 's'.repeat(40),
      generatedSecret: false,
    });
  });

  it('refuses a malformed port', () => {
    for (const PORT of ['http', '-1', '70000', '30.5']) {
      expect(() => readConfig({ PORT })).toThrow(ConfigError);
    }
  });
});
