/**
 * Argument parsing with Redis's rules (redis `getLongLongFromObjectOrReply` and friends): each helper returns the
 * parsed value, or null after replying with Redis's exact error — the `...OrReply` idiom.
 */
import type { Session } from './session.js';
import { ERR } from './errors.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Parses a canonical int64 (redis string2ll: optional '-', no '+', no leading zeros or spaces). Returns a number
 * when it is a safe integer, a bigint beyond that, null when invalid or out of range.
 */
export function parseInt64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let negative = false;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    negative = true;
    i = 1;
  }
  if (s.charCodeAt(i) === 48) return n === 1 ? 0 : null;
  let v = 0;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (v <= Number.MAX_SAFE_INTEGER) return negative ? -v : v;
  const big = BigInt(s);
  if (big > INT64_MAX || big < INT64_MIN) return null;
  return big;
}

/** A safe-integer argument (|n| < 2^53) or null; values beyond that are out of range for most commands anyway. */
export function parseSafeInt(s: string): number | null {
  const v = parseInt64(s);
  return typeof v === 'number' ? v : null;
}

/** Long argument or the "not an integer" reply. Values beyond 2^53 are clamped through bigint checks by callers needing them. */
export function intOrReply(session: Session, s: string, message: string = ERR.notInteger): number | null {
  const v = parseInt64(s);
  if (v === null) {
    session.engine.replyError(session, message);
    return null;
  }
  if (typeof v === 'bigint') {
    // Beyond 2^53 precision is lost; commands that need exact int64 use parseInt64 directly.
    return Number(v);
  }
  return v;
}

/** Like `intOrReply`, also checking a range (Redis's getRangeLongFromObjectOrReply). */
export function rangeIntOrReply(
  session: Session,
  s: string,
  min: number,
  max: number,
  message: string = ERR.notInteger,
): number | null {
  const v = parseInt64(s);
  if (v === null || typeof v === 'bigint' || v < min || v > max) {
    session.engine.replyError(session, message);
    return null;
  }
  return v;
}

/** Case-insensitive equality against a lowercase keyword. */
export function is(arg: string | undefined, keyword: string): boolean {
  return arg !== undefined && arg.length === keyword.length && arg.toLowerCase() === keyword;
}
