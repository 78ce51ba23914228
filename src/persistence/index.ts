/**
 * Persistence: RDB snapshots (save, load, fork-less BGSAVE), the point-in-time snapshot they share with the AOF
 * rewrite, and the FileSystem seam every persistence byte uses.
 */
export * from './fs.js';
export * from './snapshot.js';
export * from './rdb/index.js';
