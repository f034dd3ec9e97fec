import { ConfigError } from '../errors.js';
import type { StowageAdapter } from '../types.js';

/** Throws a `ConfigError` unless `value` looks like a `StowageAdapter`. */
export function assertAdapter(value: unknown, role: string, composition: string): StowageAdapter {
  const adapter = value as Partial<StowageAdapter> | undefined;
  if (
    typeof adapter !== 'object' ||
    adapter === null ||
    typeof adapter.name !== 'string' ||
    typeof adapter.close !== 'function' ||
    typeof adapter.capabilities !== 'object'
  ) {
    throw new ConfigError(`${composition}: ${role} must be a Stowage adapter`);
  }
  return adapter as StowageAdapter;
}

/** Throws a `ConfigError` unless `adapter` has the driver `kind`. */
export function requireDriver<K extends 'sessions' | 'messages' | 'kv' | 'queues' | 'pubsub'>(
  adapter: StowageAdapter,
  kind: K,
  role: string,
  composition: string,
): NonNullable<StowageAdapter[K]> {
  const driver = adapter[kind];
  if (!driver) {
    throw new ConfigError(
      `${composition}: the ${role} (${adapter.name}) has no ${kind} driver, which this role needs`,
    );
  }
  return driver as NonNullable<StowageAdapter[K]>;
}
