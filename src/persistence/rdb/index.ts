/** RDB persistence: save, streaming load, fork-less BGSAVE, and the server-facing RdbPersistence. */
export * from './save.js';
export * from './load.js';
export * from './snapshot.js';
export { RdbPersistence, BGSAVE_KEYS_PER_STEP, type RdbPersistenceHost } from './manager.js';
