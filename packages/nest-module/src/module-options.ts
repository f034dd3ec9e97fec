import type { Storage, StorageOptions } from '@stowage/core';

/**
 * Options of `StowageModule.forRoot()` (and what a `forRootAsync` factory returns): either a
 * `storage` the app built itself, or what `createStorage` takes (`url` or `adapter`, plus
 * `namespace`, `timeout`, `codec`, `sessionTtl`, ...), in which case the module creates the storage.
 */
export type StowageModuleOptions = ProvidedStorageOptions | CreatedStorageOptions;

/** A storage the application created and hands to the module. */
export interface ProvidedStorageOptions {
  /** The storage to register. */
  storage: Storage;
  /**
   * Close this storage when the application shuts down; default false, because whoever
   * created a storage decides when it ends (it may outlive the Nest application).
   */
  closeOnShutdown?: boolean;
}

/** What `createStorage` takes; the module creates the storage and owns it. */
export interface CreatedStorageOptions extends StorageOptions {
  /** Close the storage when the application shuts down; default true. */
  closeOnShutdown?: boolean;
}

/** Options decided when the module is declared, not by an async factory. */
export interface StowageModuleExtras {
  /** Register the module globally, so every module can inject its storage; default false. */
  isGlobal?: boolean;
  /** Register a named storage, injected with `@InjectStorage(name)`; default: the default storage. */
  name?: string;
}
