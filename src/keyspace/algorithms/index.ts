// Pure, exactness-critical algorithms the Redis engine relies on, each matching Redis 7.0 byte
// for byte: HyperLogLog, DEBUG DIGEST, C number parsing/formatting, geohash, glob matching.
export type { Bytes } from './bytes.js';
export * from './digest.js';
export * from './geohash.js';
export * from './glob.js';
export * from './hyperloglog.js';
export * from './numbers.js';
