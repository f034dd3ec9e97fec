export {
  type StowageHealthDetails,
  StowageHealthIndicator,
  type StowageHealthResult,
} from './health-indicator.js';
export type {
  CreatedStorageOptions,
  ProvidedStorageOptions,
  StowageModuleExtras,
  StowageModuleOptions,
} from './module-options.js';
export {
  type StowageSessionAsyncOptions,
  type StowageSessionForRootOptions,
  StowageSessionModule,
} from './session-module.js';
export type {
  HttpMiddleware,
  SessionRoute,
  StowageSessionModuleExtras,
  StowageSessionModuleOptions,
} from './session-module-definition.js';
export {
  StowageModule,
  type StowageModuleAsyncOptions,
  type StowageModuleForRootOptions,
} from './stowage-module.js';
export { DEFAULT_STORAGE_TOKEN, getStorageToken, InjectStorage } from './tokens.js';
