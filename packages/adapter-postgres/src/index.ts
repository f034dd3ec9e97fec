export { LATEST_VERSION as POSTGRES_SCHEMA_VERSION } from './migrations.js';
export type { PostgresAdapterOptions } from './options.js';
export { postgresAdapter } from './postgres-adapter.js';
export { adapterFromUrl } from './url.js';
