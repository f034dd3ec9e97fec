export { sqliteAdapter } from './adapter.js';
export type { SqliteDatabase, SqliteStatement, SqliteTransaction } from './database.js';
export type { SqliteAdapterOptions, SqliteAdapterTuning, SqliteTarget } from './options.js';
export { adapterFromUrl, pathFromUrl } from './url.js';
