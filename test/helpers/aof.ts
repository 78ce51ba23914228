// Test helpers for propagation tests: real Redis's incremental AOF read with our own AOF codec, and what
// Strongbox propagates rendered the way Redis writes it (SELECT when the db changes).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AofReader } from '../../formats/index.js';
import type { Strongbox } from './strongbox.js';

/** The commands of the incremental AOF under `dataDir/appendonlydir`, as argument vectors. */
export function readIncrAof(dataDir: string): string[][] {
  const aofDir = join(dataDir, 'appendonlydir');
  const file = readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'));
  if (file === undefined) throw new Error('no incr AOF');
  const reader = new AofReader();
  reader.feed(readFileSync(join(aofDir, file)));
  const out: string[][] = [];
  for (let item = reader.next(); item !== null; item = reader.next()) if (item.kind === 'command') out.push(item.args);
  if (reader.pendingBytes > 0) throw new Error(`incomplete command at the end of ${file}`);
  return out;
}

/** From now on, every batch Strongbox propagates, as Redis writes it to its AOF (SELECT on db change). */
export function captureOurs(ours: Strongbox): { commands: string[][] } {
  const captured = { commands: [] as string[][] };
  const host = ours.server.engine.host;
  const original = host.propagate.bind(host);
  let lastDb = -1;
  host.propagate = (batch) => {
    for (const command of batch) {
      if (command.dbIndex !== lastDb) {
        captured.commands.push(['SELECT', String(command.dbIndex)]);
        lastDb = command.dbIndex;
      }
      captured.commands.push(command.args);
    }
    original(batch);
  };
  return captured;
}
