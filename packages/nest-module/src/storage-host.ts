import type { OnApplicationShutdown } from '@nestjs/common';
import { ConfigError, createStorage, type Storage } from '@stowage/core';
import type { StowageModuleOptions } from './module-options.js';
import { ADAPTER_NAME } from './tokens.js';

function isProvided(options: object): options is { storage: unknown } {
  return 'storage' in options && options.storage !== undefined;
}

function isStorage(value: unknown): value is Storage {
  const storage = value as Partial<Storage> | null;
  return typeof storage?.health === 'function' && typeof storage.close === 'function';
}

/**
 * Holds the storage of one `StowageModule` registration and closes it when the application shuts
 * down, if the module created it (or `closeOnShutdown` says so). Closing happens in
 * `onApplicationShutdown`, after every `onModuleDestroy` and `beforeApplicationShutdown` hook,
 * so providers can still write their last state while the application stops.
 */
export class StorageHost implements OnApplicationShutdown {
  /** The registered storage. */
  readonly storage: Storage;
  private readonly closeOnShutdown: boolean;

  constructor(options: StowageModuleOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigError('StowageModule needs options: a storage, a url or an adapter', {
        adapter: ADAPTER_NAME,
      });
    }
    const { closeOnShutdown, ...rest } = options;
    if (isProvided(rest)) {
      const { storage, ...others } = rest;
      if (!isStorage(storage)) {
        throw new ConfigError(
          'StowageModule option storage must be a Storage from createStorage(); pass url or adapter to let the module create one',
          { adapter: ADAPTER_NAME },
        );
      }
      const extra = Object.keys(others);
      if (extra.length > 0) {
        throw new ConfigError(
          `StowageModule got a storage together with ${extra.join(', ')}; pass those options to createStorage instead`,
          { adapter: ADAPTER_NAME },
        );
      }
      this.storage = storage;
      this.closeOnShutdown = closeOnShutdown ?? false;
    } else {
      this.storage = createStorage(rest);
      this.closeOnShutdown = closeOnShutdown ?? true;
    }
  }

  /** Closes the storage if this registration owns it; waits for in-flight calls first. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closeOnShutdown) await this.storage.close();
  }
}
