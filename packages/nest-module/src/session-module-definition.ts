import {
  ConfigurableModuleBuilder,
  type DynamicModule,
  type MiddlewareConsumer,
} from '@nestjs/common';
import type { Storage } from '@stowage/core';

/**
 * Any Express/Connect-style middleware function, such as the one `stowageSession()` from
 * @stowage/express-middleware returns.
 */
export type HttpMiddleware = (req: never, res: never, next: never) => unknown;

/** A route as Nest's middleware consumer takes it: a path, or `{ path, method }`. */
export type SessionRoute = Parameters<ReturnType<MiddlewareConsumer['apply']>['exclude']>[number];

/** Options of `StowageSessionModule.forRoot()` (and what a `forRootAsync` factory returns). */
export interface StowageSessionModuleOptions {
  /**
   * Builds the session middleware from the registered storage, typically
   * `(storage) => stowageSession({ storage, secret })`. Called once, at startup.
   */
  middleware: (storage: Storage) => HttpMiddleware;
}

/** Options of `StowageSessionModule` decided when the module is declared. */
export interface StowageSessionModuleExtras {
  /** Name of the `StowageModule` storage to use; default the default storage. */
  storageName?: string;
  /** Routes the middleware runs on; default every route (`'*'`). */
  routes?: SessionRoute[];
  /** Routes left without sessions (health checks, static files); default none. */
  exclude?: SessionRoute[];
}

/** Injection token of the session module's options. */
export const STOWAGE_SESSION_OPTIONS = 'StowageSessionModuleOptions';
/** Injection token of the session module's declaration-time extras. */
export const STOWAGE_SESSION_EXTRAS = 'StowageSessionModuleExtras';

function withExtras(definition: DynamicModule, extras: StowageSessionModuleExtras): DynamicModule {
  return {
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      { provide: STOWAGE_SESSION_EXTRAS, useValue: extras },
    ],
  };
}

/** What `ConfigurableModuleBuilder` generates for `StowageSessionModule`. */
export const {
  ConfigurableModuleClass: StowageSessionConfigurableModule,
  OPTIONS_TYPE: SESSION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SESSION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<StowageSessionModuleOptions>({
  moduleName: 'StowageSession',
  optionsInjectionToken: STOWAGE_SESSION_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createSessionOptions')
  .setExtras<StowageSessionModuleExtras>(
    { storageName: undefined, routes: undefined, exclude: undefined },
    withExtras,
  )
  .build();
