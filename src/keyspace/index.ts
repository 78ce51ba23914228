/** The keyspace: databases, value types and their encodings, expiry. No protocol, no I/O. */
export * from './dict.js';
export * from './db.js';
export * from './keyspace.js';
export * from './config.js';
export * from './types.js';
export * from './string.js';
export * from './list.js';
export * from './hash.js';
export * from './set.js';
export * from './zset.js';
export * from './stream.js';
export * from './algorithms/index.js';
export * from './convert.js';
export * from './digest-adapter.js';
