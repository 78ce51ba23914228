/**
 * RDB load time alone, Strongbox vs real Redis 7.0, on the same RDB written by redis-server itself (DEBUG
 * POPULATE, SAVE): each server starts from the file and the time is its own "DB loaded from disk" log line.
 * The same rows are part of `npm run bench:server` (bench/snapshot.ts does the work).
 *
 *   npm run build && node dist/bench/rdb-load.js [--keys 1000000] [--rounds 3]
 */
import { runAlone } from './harness.js';
import { rdbLoadRows } from './snapshot.js';

await runAlone(rdbLoadRows);
