/** Persistence: RDB snapshots (save, load, fork-less BGSAVE) and the FileSystem seam every persistence byte uses. */
export * from './fs.js';
export * from './rdb/index.js';
