import { ConfigurableModuleBuilder, type DynamicModule, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { StowageHealthIndicator } from './health-indicator.js';
import type { StowageModuleExtras, StowageModuleOptions } from './module-options.js';
import { StorageHost } from './storage-host.js';
import { getStorageToken } from './tokens.js';

/** Injection token of the options of one `StowageModule` registration (module-local). */
export const STOWAGE_MODULE_OPTIONS = 'StowageModuleOptions';

/**
 * Each registration gets its own module instance, so `StorageHost` and the options token are
 * local to it; only the storage token (unique per name) and the health indicator are exported.
 * Every provider names its dependencies in `inject`, so no decorator metadata is needed.
 */
function withStorage(definition: DynamicModule, extras: StowageModuleExtras): DynamicModule {
  const token = getStorageToken(extras.name);
  const providers: Provider[] = [
    {
      provide: StorageHost,
      useFactory: (options: StowageModuleOptions) => new StorageHost(options),
      inject: [STOWAGE_MODULE_OPTIONS],
    },
    { provide: token, useFactory: (host: StorageHost) => host.storage, inject: [StorageHost] },
    {
      provide: StowageHealthIndicator,
      useFactory: (moduleRef: ModuleRef) => new StowageHealthIndicator(moduleRef),
      inject: [ModuleRef],
    },
  ];
  return {
    ...definition,
    global: extras.isGlobal ?? false,
    providers: [...(definition.providers ?? []), ...providers],
    exports: [token, StowageHealthIndicator],
  };
}

/** What `ConfigurableModuleBuilder` generates for `StowageModule`. */
export const {
  ConfigurableModuleClass: StowageConfigurableModule,
  OPTIONS_TYPE: STOWAGE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: STOWAGE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StowageModuleOptions>({
  moduleName: 'Stowage',
  optionsInjectionToken: STOWAGE_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createStowageOptions')
  .setExtras<StowageModuleExtras>({ isGlobal: false, name: undefined }, withStorage)
  .build();
