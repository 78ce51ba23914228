/** Commands: the engine that runs them, the command table, and every command family. */
import type { CommandDef } from './table.js';
import { connectionCommands } from './connection.js';
import { transactionCommands } from './transactions.js';
import { pubsubCommands } from './pubsub.js';
import { stringCommands } from './strings.js';
import { keyCommands } from './keys.js';
import { serverCommands } from './server.js';
import { listsCommands } from './lists.js';
import { hashesCommands } from './hashes.js';
import { setsCommands } from './sets.js';
import { zsetsCommands } from './zsets.js';
import { geoCommands } from './geo.js';
import { sortCommands } from './sort.js';
import { streamsCommands } from './streams.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { bitopsCommands } from './bitops.js';
import { debugCommands } from './debug.js';
import { dumpCommands } from './dump.js';

export * from './engine.js';
export * from './session.js';
export * from './errors.js';
export * from './admin-host.js';
export { CommandTable, F, type CommandDef, type CommandSpec, type Handler } from './table.js';
export { parseNotifyKeyspaceEvents, formatNotifyKeyspaceEvents } from './pubsub.js';
export { REDIS_VERSION, describeClient } from './connection.js';

/** Every command Strongbox implements. Families add their list here. */
export const allCommands: CommandDef[] = [
  ...connectionCommands,
  ...transactionCommands,
  ...pubsubCommands,
  ...stringCommands,
  ...keyCommands,
  ...serverCommands,
  ...listsCommands,
  ...hashesCommands,
  ...setsCommands,
  ...zsetsCommands,
  ...geoCommands,
  ...sortCommands,
  ...streamsCommands,
  ...hyperloglogCommands,
  ...bitopsCommands,
  ...debugCommands,
  ...dumpCommands,
];
