/** The public API of Strongbox's byte formats: `import { ... } from 'strongbox/formats'`. */
export * from './bytes.js';
export * from './resp.js';
export * from './resp-writer.js';
export * from './resp-reply.js';
export * from './errors.js';
export * from './crc64.js';
export * from './lzf.js';
export * from './listpack.js';
export * from './ziplist.js';
export * from './intset.js';
export * from './zipmap.js';
export * from './rdb/index.js';
export * from './aof.js';
