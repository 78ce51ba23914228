/**
 * Start-up loading of a multi-part AOF (Redis 7.0 `aofLoadManifestFromDisk`, `loadAppendOnlyFiles`,
 * `loadSingleAppendOnlyFile`, `aofUpgradePrepare`): read the manifest, migrate an old single-file AOF into the
 * directory, then replay the BASE (RDB or commands) and the INCR files in order through a `AofReplayTarget`.
 *
 * Damage policy: a file that ends inside a command (a torn append) is cut back to its last whole command,
 * with a warning, only when it is the LAST file and `aof-load-truncated yes`; an open MULTI at the end of the
 * log is reverted the same way. Anything else — a format error, an unknown command, a torn file that is not the
 * last, a missing file — stops the start-up with the file, the offset and what to run.
 */
import { basename, join } from 'node:path';
import {
  AofFormatError,
  AofManifestError,
  AofReader,
  parseAofManifest,
  type AofManifest,
  type Bytes,
} from '../../../formats/index.js';
import { fsErrorCode, readChunks } from '../fs.js';
import { strerror, type AofFileSystem } from './aof-fs.js';
import { manifestName, type AofLogger } from './append-only-file.js';

/** Where replayed commands go (the server: an engine session that propagates nothing). */
export interface AofReplayTarget {
  /** False when the command does not exist (the load stops). */
  knows(args: readonly Bytes[]): boolean;
  /** Runs one command; its reply is discarded, as for Redis's fake AOF client. */
  execute(args: Bytes[]): void;
  /** Loads the RDB at `path` into the dataset; returns the offset just past it. Throws when it is corrupt. */
  loadRdb(path: string): number;
  /** Forgets a transaction left open at the end of a file (the queued commands were never run). */
  endFile(): void;
}

export interface AofLoadOptions {
  fs: AofFileSystem;
  logger: AofLogger;
  /** The AOF directory (appenddirname resolved against the data directory). */
  dirName: string;
  fileName: string;
  /** The data directory, where an old single-file AOF named `fileName` would be. */
  dataDir: string;
  loadTruncated: boolean;
  /** Shown in "use ... --fix" hints. */
  checkCommand?: string;
}

export type AofLoadStatus = 'ok' | 'not-exist' | 'empty' | 'truncated';

export interface AofLoadResult {
  status: AofLoadStatus;
  manifest: AofManifest;
  baseBytes: number;
  totalBytes: number;
}

/** A load that must stop the server; the log already says why. */
export class AofLoadError extends Error {
  constructor(
    readonly code: 'MANIFEST' | 'MISSING_FILE' | 'OPEN' | 'BAD_FORMAT' | 'UNKNOWN_COMMAND' | 'TRUNCATED' | 'RDB' | 'UPGRADE',
    message: string,
  ) {
    super(message);
    this.name = 'AofLoadError';
  }
}

const EMPTY_MANIFEST = (): AofManifest => ({ base: null, history: [], incrs: [] });

/** aofLoadManifestFromDisk: an absent directory or manifest is an empty manifest (fresh start or upgrade). */
export function loadManifestFromDisk(options: Pick<AofLoadOptions, 'fs' | 'logger' | 'dirName' | 'fileName'>): AofManifest {
  const { fs, logger, dirName, fileName } = options;
  const dir = fs.stat(dirName);
  if (dir === null || !dir.isDirectory) {
    logger.verbose(`The AOF directory ${basename(dirName)} doesn't exist`);
    return EMPTY_MANIFEST();
  }
  const path = join(dirName, manifestName(fileName));
  if (fs.stat(path) === null) {
    logger.verbose(`The AOF manifest file ${manifestName(fileName)} doesn't exist`);
    return EMPTY_MANIFEST();
  }
  let text: string;
  try {
    text = readWhole(fs, path);
  } catch (err) {
    const message = `Fatal error: can't open the AOF manifest file ${path} for reading: ${strerror(fsErrorCode(err))}`;
    logger.warning(message);
    throw new AofLoadError('OPEN', message);
  }
  try {
    return parseAofManifest(text);
  } catch (err) {
    if (!(err instanceof AofManifestError)) throw err;
    logger.warning('\n*** FATAL AOF MANIFEST FILE ERROR ***\n');
    if (err.lineNumber > 0) {
      logger.warning(`Reading the manifest file, at line ${err.lineNumber}\n`);
      logger.warning(`>>> '${err.line}'\n`);
    }
    logger.warning(`${err.message}\n`);
    throw new AofLoadError('MANIFEST', `${path}: ${err.message}${err.lineNumber > 0 ? ` (line ${err.lineNumber})` : ''}`);
  }
}

function readWhole(fs: AofFileSystem, path: string): string {
  const parts: Buffer[] = [];
  for (const chunk of readChunks(fs, path)) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('latin1');
}

/**
 * The Redis 7.0 upgrade rule: an `appendfilename` file in the working directory is an old single-file AOF when
 * the directory does not exist, or the manifest lists nothing, or it lists only a BASE of that same name which is
 * not in the directory yet (an interrupted upgrade). It becomes BASE seq 1 of a new manifest and moves into the
 * directory (manifest first: a crash in between retries the upgrade at the next start).
 */
export function upgradeIfNeeded(manifest: AofManifest, options: AofLoadOptions): AofManifest {
  const { fs, logger, dirName, fileName } = options;
  const oldPath = join(options.dataDir, fileName);
  if (fs.stat(oldPath) === null) return manifest;
  const dir = fs.stat(dirName);
  const dirExists = dir !== null && dir.isDirectory;
  const listsNothing = manifest.base === null && manifest.incrs.length === 0;
  const interrupted =
    manifest.base !== null && manifest.incrs.length === 0 && manifest.base.name === fileName && fs.stat(join(dirName, fileName)) === null;
  if (dirExists && !listsNothing && !interrupted) return manifest;
  const upgraded: AofManifest = { base: { name: fileName, seq: 1, type: 'b' }, history: [], incrs: [] };
  try {
    fs.mkdir(dirName);
    const text = `file ${fileName} seq 1 type b\n`;
    const path = join(dirName, manifestName(fileName));
    const temp = join(dirName, 'temp-' + manifestName(fileName));
    const fd = fs.open(temp, 'write');
    try {
      fs.write(fd, Buffer.from(text, 'latin1'));
      fs.fsync(fd);
    } finally {
      fs.close(fd);
    }
    fs.rename(temp, path);
    fs.fsyncDir(dirName);
    fs.rename(oldPath, join(dirName, fileName));
    fs.fsyncDir(dirName);
    fs.fsyncDir(options.dataDir);
  } catch (err) {
    const code = fsErrorCode(err);
    if (code === null) throw err;
    const message = `Error trying to move the old AOF file ${fileName} into dir ${basename(dirName)}: ${strerror(code)}`;
    logger.warning(message);
    throw new AofLoadError('UPGRADE', message);
  }
  logger.notice(`Successfully migrated an old-style AOF file (${fileName}) into the AOF directory (${basename(dirName)}).`);
  return upgraded;
}

/**
 * loadAppendOnlyFiles. Returns the status and sizes; throws AofLoadError (after logging Redis's lines) when the
 * server must not start.
 */
export function loadAppendOnlyFiles(manifestOnDisk: AofManifest, target: AofReplayTarget, options: AofLoadOptions): AofLoadResult {
  const { fs, logger, dirName } = options;
  const manifest = upgradeIfNeeded(manifestOnDisk, options);
  const files = [...(manifest.base === null ? [] : [manifest.base]), ...manifest.incrs];
  if (files.length === 0) return { status: 'not-exist', manifest, baseBytes: 0, totalBytes: 0 };
  let totalBytes = 0;
  for (const file of files) {
    const stat = fs.stat(join(dirName, file.name));
    if (stat === null) {
      const message = `Unable to obtain the AOF file ${file.name} length. stat: No such file or directory`;
      logger.warning(message);
      throw new AofLoadError('MISSING_FILE', message);
    }
    totalBytes += stat.sizeBytes;
  }
  if (totalBytes === 0) return { status: 'empty', manifest, baseBytes: 0, totalBytes: 0 };
  let status: AofLoadStatus = 'ok';
  let baseBytes = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const isBase = file === manifest.base;
    const last = i === files.length - 1;
    const startedMs = Date.now();
    const result = loadSingleAppendOnlyFile(file.name, target, options, { last, oldStyle: isBase && file.name === options.fileName });
    if (isBase) baseBytes = fs.stat(join(dirName, file.name))?.sizeBytes ?? 0;
    if (result === 'truncated') status = 'truncated';
    if (result === 'ok' || result === 'truncated') {
      logger.notice(`DB loaded from ${isBase ? 'base' : 'incr'} file ${file.name}: ${((Date.now() - startedMs) / 1000).toFixed(3)} seconds`);
    }
  }
  totalBytes = files.reduce((sum, f) => sum + (fs.stat(join(dirName, f.name))?.sizeBytes ?? 0), 0);
  return { status, manifest, baseBytes, totalBytes };
}

/** loadSingleAppendOnlyFile for one file of the manifest. */
function loadSingleAppendOnlyFile(
  name: string,
  target: AofReplayTarget,
  options: AofLoadOptions,
  where: { last: boolean; oldStyle: boolean },
): 'ok' | 'empty' | 'truncated' {
  const { fs, logger, dirName } = options;
  const check = options.checkCommand ?? 'bin/strongbox aof check';
  const path = join(dirName, name);
  const size = fs.stat(path)?.sizeBytes ?? 0;
  if (size === 0) return 'empty';
  let offset = 0;
  if (startsWithRedis(fs, path)) {
    logger.notice(where.oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    try {
      offset = target.loadRdb(path);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      const message = where.oldStyle
        ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`
        : `Error reading the RDB base file ${name}, AOF loading aborted`;
      logger.warning(message);
      throw new AofLoadError('RDB', `${message}: ${detail}`);
    }
    if (where.oldStyle) logger.notice('Reading the remaining AOF tail...');
  }
  const reader = new AofReader(undefined, false, offset);
  let validBeforeMulti = offset;
  let inMulti = false;
  try {
    for (const chunk of readChunks(fs, path, undefined, offset)) {
      reader.feed(chunk);
      for (let item = reader.next(); item !== null; item = reader.next()) {
        if (item.kind === 'annotation') continue;
        if (!target.knows(item.args)) {
          const message = `Unknown command '${item.args[0] ?? ''}' reading the append only file ${name}`;
          logger.warning(message);
          throw new AofLoadError('UNKNOWN_COMMAND', `${message} at offset ${item.startOffset}`);
        }
        const command = item.args[0]!.toLowerCase();
        if (command === 'multi') {
          validBeforeMulti = item.startOffset;
          inMulti = true;
        } else if (command === 'exec') inMulti = false;
        target.execute(item.args);
      }
    }
  } catch (err) {
    if (!(err instanceof AofFormatError)) throw err;
    target.endFile();
    logger.warning(
      `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ${check} --fix <filename.manifest>`,
    );
    throw new AofLoadError('BAD_FORMAT', `Bad file format reading the append only file ${name} at offset ${err.offset} (${err.reason}): make a backup of your AOF file, then use ${check} --fix ${manifestName(options.fileName)}`);
  }
  target.endFile();
  let validUpTo = reader.validEndOffset;
  const torn = reader.pendingBytes > 0;
  if (!torn && !inMulti) return 'ok';
  if (inMulti) {
    logger.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
    validUpTo = validBeforeMulti;
  }
  if (options.loadTruncated && where.last) {
    logger.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    logger.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
    try {
      fs.truncate(path, validUpTo);
    } catch (err) {
      const code = fsErrorCode(err);
      if (code === null) throw err;
      logger.warning(`Error truncating the AOF file ${name}: ${strerror(code)}`);
      throw new AofLoadError('TRUNCATED', `Error truncating the AOF file ${name}: ${strerror(code)}`);
    }
    logger.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
    return 'truncated';
  }
  if (options.loadTruncated && !where.last) {
    logger.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    logger.warning('Fatal error: the truncated file is not the last file');
    throw new AofLoadError('TRUNCATED', `The AOF file ${name} ends inside a command at offset ${validUpTo} but is not the last file: use ${check} ${manifestName(options.fileName)}`);
  }
  logger.warning(
    `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ${check} --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
  );
  throw new AofLoadError('TRUNCATED', `Unexpected end of file reading the append only file ${name} after offset ${validUpTo}: use ${check} --fix ${manifestName(options.fileName)}, or set aof-load-truncated yes`);
}

function startsWithRedis(fs: AofFileSystem, path: string): boolean {
  const fd = fs.open(path, 'read');
  try {
    const sig = Buffer.alloc(5);
    const n = fs.read(fd, sig, 0, 5, 0);
    return n === 5 && sig.toString('latin1') === 'REDIS';
  } finally {
    fs.close(fd);
  }
}
