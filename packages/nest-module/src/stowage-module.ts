import { Module } from '@nestjs/common';
import {
  type STOWAGE_ASYNC_OPTIONS_TYPE,
  type STOWAGE_OPTIONS_TYPE,
  StowageConfigurableModule,
} from './stowage-module-definition.js';

/** Options of `StowageModule.forRoot()`: the storage options plus `isGlobal` and `name`. */
export type StowageModuleForRootOptions = typeof STOWAGE_OPTIONS_TYPE;

/**
 * Options of `StowageModule.forRootAsync()`: `useFactory` + `inject` + `imports` (or `useClass` /
 * `useExisting` with a `createStowageOptions()` method) producing the storage options, plus
 * `isGlobal` and `name`, which are fixed when the module is declared.
 */
export type StowageModuleAsyncOptions = typeof STOWAGE_ASYNC_OPTIONS_TYPE;

/**
 * Registers a Stowage storage for injection. `forRoot({ url: 'sqlite:./app.db' })` creates the
 * storage (and closes it on shutdown); `forRoot({ storage })` registers one the app built (left
 * open unless `closeOnShutdown: true`). Register it several times with different `name`s for
 * several storages, and inject them with `@InjectStorage(name?)`. The module also exports
 * `StowageHealthIndicator`.
 *
 * @example
 * ```ts
 * @Module({ imports: [StowageModule.forRoot({ url: 'sqlite:./data/app.db', isGlobal: true })] })
 * class AppModule {}
 * ```
 */
@Module({})
export class StowageModule extends StowageConfigurableModule {}
