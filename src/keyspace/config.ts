/**
 * The settings the keyspace and its value types read: the database count, active expiry effort and the
 * encoding thresholds of each type (Redis 7.0's names and defaults). The server owns one instance and updates it
 * in place on CONFIG SET, so values always see the current thresholds.
 */
export interface KeyspaceConfig {
  databases: number;
  activeExpireEffort: number;
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  listMaxListpackSize: number;
  listCompressDepth: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  streamNodeMaxBytes: number;
  streamNodeMaxEntries: number;
  hllSparseMaxBytes: number;
}

export function defaultKeyspaceConfig(): KeyspaceConfig {
  return {
    databases: 16,
    activeExpireEffort: 1,
    hashMaxListpackEntries: 128,
    hashMaxListpackValue: 64,
    listMaxListpackSize: -2,
    listCompressDepth: 0,
    setMaxIntsetEntries: 512,
    zsetMaxListpackEntries: 128,
    zsetMaxListpackValue: 64,
    streamNodeMaxBytes: 4096,
    streamNodeMaxEntries: 100,
    hllSparseMaxBytes: 3000,
  };
}
