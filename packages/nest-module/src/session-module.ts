import { Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConfigError, type Storage } from '@stowage/core';
import {
  type SESSION_ASYNC_OPTIONS_TYPE,
  type SESSION_OPTIONS_TYPE,
  STOWAGE_SESSION_EXTRAS,
  STOWAGE_SESSION_OPTIONS,
  StowageSessionConfigurableModule,
  type StowageSessionModuleExtras,
  type StowageSessionModuleOptions,
} from './session-module-definition.js';
import { ADAPTER_NAME, getStorageToken } from './tokens.js';

/** Options of `StowageSessionModule.forRoot()`. */
export type StowageSessionForRootOptions = typeof SESSION_OPTIONS_TYPE;

/** Options of `StowageSessionModule.forRootAsync()` (`useFactory` + `inject` + `imports`, ...). */
export type StowageSessionAsyncOptions = typeof SESSION_ASYNC_OPTIONS_TYPE;

/**
 * Mounts session middleware built from a `StowageModule` storage on every route (or the given
 * `routes`), before any controller runs. The storage is looked up across the whole application,
 * so `StowageModule` need not be global. With @stowage/express-middleware it is one line.
 *
 * @example
 * ```ts
 * StowageSessionModule.forRoot({ middleware: (storage) => stowageSession({ storage, secret }) })
 * ```
 */
@Module({})
export class StowageSessionModule extends StowageSessionConfigurableModule implements NestModule {
  constructor(
    @Inject(STOWAGE_SESSION_OPTIONS) private readonly options: StowageSessionModuleOptions,
    @Inject(STOWAGE_SESSION_EXTRAS) private readonly extras: StowageSessionModuleExtras,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  /** Applies the middleware; Nest calls it once all providers exist, before routes are mounted. */
  configure(consumer: MiddlewareConsumer): void {
    const middleware = this.options.middleware(this.storage());
    const applied = consumer.apply(middleware);
    const exclude = this.extras.exclude ?? [];
    const routes = this.extras.routes ?? ['*'];
    (exclude.length > 0 ? applied.exclude(...exclude) : applied).forRoutes(...routes);
  }

  private storage(): Storage {
    const name = this.extras.storageName;
    try {
      return this.moduleRef.get<Storage>(getStorageToken(name), { strict: false });
    } catch (error) {
      throw new ConfigError(
        `StowageSessionModule found no ${name === undefined ? 'default storage' : `storage named ${JSON.stringify(name)}`}; register it with StowageModule.forRoot(...)`,
        { adapter: ADAPTER_NAME, cause: error },
      );
    }
  }
}
