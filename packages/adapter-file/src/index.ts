export { DiskFullError, type DiskFullReason } from './errors.js';
export { fileAdapter } from './file-adapter.js';
export type { FileAdapterOptions } from './options.js';
export { adapterFromUrl } from './url.js';
