export {
  SessionLockTimeoutError,
  SessionUnavailableError,
  StaleSessionError,
} from './errors.js';
export {
  logIn,
  logOut,
  type RevokeOptions,
  type RotateOptions,
  revokeUserSessions,
  rotateSessionId,
  saveSession,
} from './helpers.js';
export { defaultErrorHandler, type HttpError, type SessionErrorHandler } from './respond.js';
export type { SessionRelease } from './session-lock.js';
export type { ConcurrencyMode, StowageStoreOptions } from './store-options.js';
export {
  generateSessionId,
  MIN_SECRET_LENGTH,
  type StowageSessionMiddleware,
  type StowageSessionOptions,
  stowageSession,
} from './stowage-session.js';
export { StowageStore } from './stowage-store.js';
