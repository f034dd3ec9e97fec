export { type KeyvStoreEntry, StowageKeyvStore, stowageKeyvStore } from './keyv-store.js';
export type { StowageKeyvStoreOptions, StowageKeyvStoreOpts } from './options.js';
