export type { RedisAdapterOptions } from './options.js';
export { redisAdapter } from './redis-adapter.js';
export type { Durability, RedisClient } from './script-runner.js';
export { adapterFromUrl } from './url.js';
