export {
  type ArchivedAdapter,
  type ArchiveOptions,
  type ArchiveReport,
  type ArchiveRunOptions,
  archive,
} from './archive.js';
export type { ReconcileCounts } from './failover-log.js';
export {
  type FallbackAdapter,
  type FallbackOptions,
  type FallbackSide,
  type FallbackSwitch,
  withFallback,
} from './fallback.js';
export type { MirrorDifference, MirrorReport } from './mirror-report.js';
export { type MirroredAdapter, type MirroredOptions, mirrored } from './mirrored.js';
export { type RoutedOptions, routed } from './routed.js';
export { type TieredOptions, tiered } from './tiered.js';
