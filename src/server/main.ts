/**
 * The strongbox-server process: `strongbox-server [config-file] [--directive value ...]`, exactly redis-server's
 * syntax. Loads the configuration (fatal errors as redis-server words them, exit code 1), starts persistence,
 * listens, writes the pidfile, logs Redis's start-up lines, and shuts down cleanly on SIGTERM/SIGINT.
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { Config, ConfigError } from './config.js';
import { Logger } from './log.js';
import { Server, ListenError } from './server.js';
import { REDIS_VERSION } from '../commands/index.js';
import { STRONGBOX_VERSION } from './admin.js';
import { rdbPlugin } from './persistence.js';
import { aofPlugin } from './aof.js';

/** Hooks that later layers (persistence, replication) use to attach themselves to a server before it listens. */
export type ServerPlugin = (server: Server) => Promise<void> | void;
export const plugins: ServerPlugin[] = [rdbPlugin, aofPlugin];

export interface StartOptions {
  argv: readonly string[];
  /** Print logs (false in in-process tests unless asked). */
  logger?: Logger;
}

/** Parses redis-server's argv: an optional config file first (`-` for stdin), then `--name value...` pairs. */
export function loadConfig(argv: readonly string[]): Config {
  const config = new Config();
  let file = '';
  let rest = argv;
  if (argv.length > 0 && !argv[0]!.startsWith('--')) {
    file = argv[0]!;
    rest = argv.slice(1);
  }
  const text = file === '' ? '' : readFileSync(file === '-' ? 0 : file, 'latin1');
  config.load(text, file === '-' ? '' : file, rest);
  return config;
}

/** Builds, wires and starts a server. Throws ConfigError / ListenError. */
export async function startServer(options: StartOptions): Promise<Server> {
  const config = loadConfig(options.argv);
  const logger = options.logger ?? new Logger();
  logger.level = config.get('loglevel') as Logger['level'];
  logger.file = config.get('logfile');
  const server = new Server({ config, logger });
  const dir = config.get('dir');
  if (dir !== '') {
    mkdirSync(dir, { recursive: true });
    process.chdir(dir);
  }
  server.dataDir = process.cwd();
  for (const plugin of plugins) await plugin(server);
  await server.listen();
  return server;
}

export async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=v8 bits=64 build=strongbox-${STRONGBOX_VERSION}\n`);
    return;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    process.stdout.write(
      'Usage: ./strongbox-server [/path/to/redis.conf] [options] [-]\n       ./strongbox-server - (read config from stdin)\n       ./strongbox-server -v or --version\n       ./strongbox-server -h or --help\n\nExamples:\n       ./strongbox-server (run the server with default conf)\n       ./strongbox-server /etc/redis/6379.conf\n       ./strongbox-server --port 7777\n       ./strongbox-server --port 7777 --replicaof 127.0.0.1 8888\n       ./strongbox-server /etc/myredis.conf --loglevel verbose -\n',
    );
    return;
  }
  const boot = new Logger();
  boot.role = 'C';
  let config: Config;
  try {
    config = loadConfig(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message);
      process.exit(1);
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      // Logged (stdout, role C), not printed to stderr: redis-server reports it through serverLog.
      boot.warning(`Fatal error, can't open config file '${argv[0]}': No such file or directory`);
      process.exit(1);
    }
    throw err;
  }
  boot.level = config.get('loglevel') as Logger['level'];
  boot.file = config.get('logfile');
  boot.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  boot.warning(`Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`);
  boot.warning(argv.length === 0 ? 'Warning: no config file specified, using the default config. In order to specify a config file use strongbox-server /path/to/redis.conf' : 'Configuration loaded');
  const logger = new Logger();
  logger.level = boot.level;
  logger.file = boot.file;
  let server: Server;
  try {
    server = await startServer({ argv, logger });
  } catch (err) {
    if (err instanceof ListenError) {
      logger.warning(err.warning);
      logger.warning(err.message);
      process.exit(1);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(err.message);
      process.exit(1);
    }
    logger.warning(`Fatal error during start-up: ${(err as Error).message}`);
    process.exit(1);
  }
  if (config.getBool('always-show-logo') || process.stdout.isTTY === true) {
    logger.notice(
      `Strongbox ${STRONGBOX_VERSION} (Redis ${REDIS_VERSION} compatible) 64 bit\n    Running in standalone mode\n    Port: ${server.port}\n    PID: ${process.pid}\n`,
    );
  } else {
    logger.notice(`Running mode=standalone, port=${server.port}.`);
  }
  logger.warning('Server initialized');
  server.writePidfile();
  logger.notice('Ready to accept connections');
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.warning(`Received ${signal} scheduling shutdown...`);
    const err = server.shutdown(null);
    if (err !== null) {
      logger.warning(`SIGTERM received but errors trying to shut down the server, check the logs for more information`);
      stopping = false;
      return;
    }
  };
  server.onShutdown(() => {
    setImmediate(() => process.exit(0));
  });
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
