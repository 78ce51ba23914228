/** The append-only file: run-time log and rewrite, start-up loading, the keyspace-as-commands rewrite. */
export * from './aof-fs.js';
export * from './append-only-file.js';
export * from './load.js';
export * from './rewrite.js';
