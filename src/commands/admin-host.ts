/**
 * AdminHost: what server-management commands (INFO, CONFIG, CLIENT, SHUTDOWN, SAVE, DEBUG) need from the
 * process that runs the engine. The server implements it; an engine without one (unit tests, the simulator)
 * answers those commands with an error.
 */
import type { Session } from './session.js';

export interface AdminHost {
  /** CONFIG GET: pairs whose names match one of the globs. */
  configGet(patterns: readonly string[]): [string, string][];
  /**
   * CONFIG SET of several pairs, all or nothing, checked in Redis's order (names, then values). `protectedAllowed`:
   * whether this client may set protected configs (enable-protected-configs). Returns the full error line, or null.
   */
  configSet(pairs: readonly [string, string][], protectedAllowed: boolean): string | null;
  configRewrite(): string | null;
  configResetStat(): void;
  /**
   * INFO text of a server-owned section (server, clients, memory, persistence, replication, cpu...), lines
   * joined with CRLF and without the `# Title` header; undefined when the section is not the server's.
   */
  infoSection(name: string): string | undefined;
  /** Names of the server-owned sections, in Redis's order for `INFO` / `INFO all`. */
  infoSectionNames(): readonly string[];
  /** Connected client sessions (CLIENT LIST, INFO clients). */
  sessions(): Session[];
  /** SHUTDOWN; returns an error line when refused. On success the process is going away. */
  shutdown(save: boolean | null): string | null;
  /** SAVE: a blocking snapshot. Returns an error line, or null. */
  save(): string | null;
  /** BGSAVE / BGREWRITEAOF: the status line to reply (`+Background saving started`) or an error line (`-ERR ...`). */
  bgsave(schedule: boolean): string;
  bgrewriteaof(): string;
  /**
   * FLUSHALL's persistence side (redis flushAllDataAndResetRDB): a running BGSAVE is dropped, `empty` runs, and
   * with save points the empty dataset is saved at once.
   */
  flushAll(empty: () => void): void;
  /** Unix seconds of the last successful save. */
  lastSaveSec(): number;
  /** DEBUG RELOAD: save and load back. Returns an error line, or null. */
  debugReload(): string | null;
  /** Role, for ROLE and INFO: `master` or `slave`. */
  role(): string;
}
