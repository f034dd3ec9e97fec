export {
  assertVersion,
  clampExpiry,
  compareIds,
  compareListPosition,
  isCounterText,
  isExpired,
  matchesFilter,
  nextSession,
  parseCounter,
  prefixUpperBound,
  resolveExpiry,
  sliceRange,
} from './adapter-kit.js';
export { type ManualClock, manualClock, systemClock } from './clock.js';
export { type Codec, jsonCodec } from './codec.js';
export { decodeCursor, encodeCursor } from './cursor.js';
export {
  BackendError,
  CapabilityError,
  ClosedError,
  ConfigError,
  ConflictError,
  ConnectionError,
  CorruptionError,
  isStowageError,
  LeaseLostError,
  NotFoundError,
  PayloadTooLargeError,
  redactUrl,
  StowageError,
  type StowageErrorCode,
  type StowageErrorOptions,
  TimeoutError,
  ValidationError,
} from './errors.js';
export { toJsonText } from './json.js';
export { type KeysQuery, KvApi, type KvSetOptions } from './kv.js';
export { type LocalPubSub, localPubSub } from './local-pubsub.js';
export { type MemoryAdapterOptions, memoryAdapter } from './memory-adapter.js';
export { type AppendOptions, MAX_APPEND_BATCH, MessagesApi } from './messages.js';
export type {
  MessageContext,
  MessageHandler,
  SubscriberErrorHandler,
} from './pubsub.js';
export { type QueueJob, type QueueState, queueState } from './queue-state.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_VISIBILITY_MS,
  type DeadLetter,
  type DequeueOptions,
  type EnqueueOptions,
  type Job,
  MAX_ATTEMPTS_LIMIT,
  Queue,
} from './queues.js';
export type { OperationEvent } from './runtime.js';
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type SaveManyItem,
  type SaveOptions,
  type SessionChange,
  SessionsApi,
  type UpdateOptions,
} from './sessions.js';
export {
  createStorage,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_TIMEOUT_MS,
  type HealthReport,
  type Storage,
  type StorageOptions,
} from './storage.js';
export type * from './types.js';
export { type AdapterModule, adapterFromUrl } from './url.js';
export {
  MAX_ID_BYTES,
  MAX_LABEL_BYTES,
  MAX_LABELS,
  MAX_STATE_BYTES,
  MAX_TTL_MS,
  parseTtl,
  validateId,
} from './validate.js';
