import { Inject } from '@nestjs/common';
import { ConfigError } from '@stowage/core';

/** Name this package gives the `adapter` field of the errors it raises. */
export const ADAPTER_NAME = 'nest';

/** Injection token of the storage registered without a `name`. */
export const DEFAULT_STORAGE_TOKEN = 'StowageStorage';

/**
 * The injection token of a storage registered by `StowageModule`: the default storage without a
 * name, `'StowageStorage:<name>'` for a named one. Use it with `moduleRef.get(...)`, in a
 * factory's `inject` list, or to override the storage in a testing module.
 *
 * @example
 * ```ts
 * const cache = app.get<Storage>(getStorageToken('cache'));
 * ```
 */
export function getStorageToken(name?: string): string {
  if (name === undefined) return DEFAULT_STORAGE_TOKEN;
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConfigError('A storage name must be a non-empty string; omit it for the default', {
      adapter: ADAPTER_NAME,
    });
  }
  return `${DEFAULT_STORAGE_TOKEN}:${name}`;
}

/**
 * Injects the storage registered by `StowageModule.forRoot` (or `forRootAsync`) under `name`,
 * or the default storage when no name is given.
 *
 * @example
 * ```ts
 * constructor(@InjectStorage() private readonly storage: Storage) {}
 * ```
 */
export function InjectStorage(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getStorageToken(name));
}
