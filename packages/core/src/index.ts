export {
  assertVersion,
  clampExpiry,
  compareIds,
  compareListPosition,
  isCounterText,
  isExpired,
  matchesFilter,
  matchesFingerprint,
  nextSession,
  parseCounter,
  prefixUpperBound,
  resolveExpiry,
  sliceRange,
} from './adapter-kit.js';
export { type ManualClock, manualClock, systemClock } from './clock.js';
export { type Codec, jsonCodec } from './codec.js';
export { type ComposedCodec, composeCodecs } from './codecs/compose.js';
export { type CompressedOptions, compressed } from './codecs/compressed.js';
export { type EncryptedCodec, type EncryptedOptions, encrypted } from './codecs/encrypted.js';
export type { EncryptionKey } from './codecs/key-ring.js';
export {
  type RekeyCounts,
  type RekeyFailure,
  type RekeyOptions,
  type RekeyProgress,
  type RekeyReport,
  rekey,
} from './codecs/rekey.js';
export { isRotatingCodec, type RotatingCodec } from './codecs/rotating-codec.js';
export {
  type ArchivedAdapter,
  type ArchiveOptions,
  type ArchiveReport,
  type ArchiveRunOptions,
  archive,
  type FallbackAdapter,
  type FallbackOptions,
  type FallbackSide,
  type FallbackSwitch,
  type MirrorDifference,
  type MirroredAdapter,
  type MirroredOptions,
  type MirrorReport,
  mirrored,
  type ReconcileCounts,
  type RoutedOptions,
  routed,
  type TieredOptions,
  tiered,
  withFallback,
} from './compose/index.js';
export { decodeCursor, encodeCursor } from './cursor.js';
export { Deadlines, type Pending } from './deadlines.js';
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
export { CHECKPOINT_KEY } from './migrate/checkpoint.js';
export {
  DEFAULT_MESSAGE_CHUNK,
  DEFAULT_MIGRATE_BATCH,
  type MigrateOptions,
  type MigrationProgress,
  type MigrationResult,
  migrate,
} from './migrate/migrate.js';
export type { WriteCounts } from './migrate/record-writer.js';
export {
  type CopyPhase,
  type MigrationRecord,
  RESERVED_KEY_PREFIX,
} from './migrate/records.js';
export { validateStoredSessions } from './migrate/stored-session.js';
export {
  type ExportOptions,
  exportRecords,
  type ImportOptions,
  type ImportResult,
  importRecords,
} from './migrate/transfer.js';
export type { VerifyCounts, VerifyProblem, VerifyReport } from './migrate/verify.js';
export type { LatencySummary } from './observability/latency-histogram.js';
export type { OperationStatsSummary, StorageStats } from './observability/operation-stats.js';
export type {
  SpanAttributeValue,
  SpanLike,
  SpanStartOptions,
  TracerLike,
} from './observability/tracer.js';
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
  type EnqueueJob,
  type EnqueueManyOptions,
  type EnqueueOptions,
  type Job,
  MAX_ATTEMPTS_LIMIT,
  MAX_ENQUEUE_BATCH,
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
