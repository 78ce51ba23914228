/**
 * Wires configuration directives to the parts that read them: engine settings, keyspace encoding thresholds,
 * protocol limits, logging. Each listener runs at start-up and again on every CONFIG SET of its directive.
 */
import type { Server } from './server.js';
import type { LogLevel } from './log.js';
import { parseNotifyKeyspaceEvents } from '../commands/index.js';

export function applyConfig(server: Server): void {
  const { config, engine, logger, limits } = server;
  const ks = engine.keyspace.config;
  const settings = engine.settings;
  config.onChange('requirepass', (v) => {
    settings.requirepass = v;
  });
  config.onChange('notify-keyspace-events', (v) => {
    const flags = parseNotifyKeyspaceEvents(v);
    if (flags === null) return 'Invalid event class character. Use \'Ag$lshzxeKEtmd\'.';
    settings.notifyKeyspaceEvents = flags;
  });
  config.onChange('slowlog-log-slower-than', (v) => {
    settings.slowlogLogSlowerThanUs = Number(v);
  });
  config.onChange('slowlog-max-len', (v) => {
    settings.slowlogMaxLen = Number(v);
  });
  config.onChange('latency-monitor-threshold', (v) => {
    settings.latencyMonitorThresholdMs = Number(v);
  });
  config.onChange('proto-max-bulk-len', () => {
    limits.maxBulkBytes = config.getInt('proto-max-bulk-len');
    settings.protoMaxBulkLen = limits.maxBulkBytes;
  });
  config.onChange('lazyfree-lazy-expire', (v) => {
    settings.lazyfreeLazyExpire = v === 'yes';
  });
  config.onChange('loglevel', (v) => {
    logger.level = v as LogLevel;
  });
  config.onChange('logfile', (v) => {
    logger.file = v;
  });
  const intSetting = (name: string, apply: (n: number) => void): void => {
    config.onChange(name, () => apply(config.getInt(name)));
  };
  intSetting('hash-max-listpack-entries', (n) => (ks.hashMaxListpackEntries = n));
  intSetting('hash-max-listpack-value', (n) => (ks.hashMaxListpackValue = n));
  intSetting('list-max-listpack-size', (n) => (ks.listMaxListpackSize = n));
  intSetting('list-compress-depth', (n) => (ks.listCompressDepth = n));
  intSetting('set-max-intset-entries', (n) => (ks.setMaxIntsetEntries = n));
  intSetting('zset-max-listpack-entries', (n) => (ks.zsetMaxListpackEntries = n));
  intSetting('zset-max-listpack-value', (n) => (ks.zsetMaxListpackValue = n));
  intSetting('stream-node-max-bytes', (n) => (ks.streamNodeMaxBytes = n));
  intSetting('stream-node-max-entries', (n) => (ks.streamNodeMaxEntries = n));
  intSetting('hll-sparse-max-bytes', (n) => (ks.hllSparseMaxBytes = n));
  intSetting('active-expire-effort', (n) => (ks.activeExpireEffort = n));
}
