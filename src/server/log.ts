/**
 * Logging in Redis's format and words: `pid:role dd Mon yyyy hh:mm:ss.mmm <level> message`, where level is
 * `.` debug, `-` verbose, `*` notice, `#` warning and role is `M` (primary), `S` (replica), `X` (sentinel).
 * Operators' tooling and Redis's own test suite grep these lines, so the words follow Redis's too.
 */
import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

const LEVELS: Record<LogLevel, { rank: number; mark: string }> = {
  debug: { rank: 0, mark: '.' },
  verbose: { rank: 1, mark: '-' },
  notice: { rank: 2, mark: '*' },
  warning: { rank: 3, mark: '#' },
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class Logger {
  level: LogLevel = 'notice';
  /** Empty: stdout. */
  file = '';
  role: 'M' | 'S' | 'X' | 'C' = 'M';
  private readonly pid = process.pid;

  log(level: LogLevel, message: string): void {
    if (LEVELS[level].rank < LEVELS[this.level].rank) return;
    const line = `${this.pid}:${this.role} ${timestamp(new Date())} ${LEVELS[level].mark} ${message}\n`;
    if (this.file === '') process.stdout.write(line);
    else {
      try {
        appendFileSync(this.file, line);
      } catch {
        process.stdout.write(line);
      }
    }
  }

  debug(message: string): void {
    this.log('debug', message);
  }
  verbose(message: string): void {
    this.log('verbose', message);
  }
  notice(message: string): void {
    this.log('notice', message);
  }
  warning(message: string): void {
    this.log('warning', message);
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `26 Nov 2026 06:50:54.785`, local time as Redis prints it. */
export function timestamp(d: Date): string {
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
