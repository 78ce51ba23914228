// Redis's glob matcher (stringmatchlen in redis src/util.c, 7.0): `*`, `?`, `[...]` with `^`,
// ranges and `\` escapes, optional ASCII case folding, and the skipLongerMatches cut that keeps
// patterns like "a*a*a*a*b" from going exponential. Used by KEYS, SCAN MATCH, PSUBSCRIBE, etc.
//
// Byte-level quirks kept on purpose, because replies must match Redis:
// - bytes compare as C `char`, which is signed on x86: in a range such as [a-\xff] the bounds and
//   the subject byte are compared as -128..127 (so [a-\xff] is the range -1..97 after the swap);
// - case folding is C-locale tolower: only A-Z;
// - an unterminated `[` ends the class at the end of the pattern; a trailing `\` is literal.
import type { Bytes } from './bytes.js';

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;

const signedChar = (code: number): number => (code << 24) >> 24;
const lower = (code: number): number => (code >= 0x41 && code <= 0x5a ? code + 32 : code);

interface MatchState {
  skipLongerMatches: boolean;
}

function matchFrom(pattern: Bytes, patternStart: number, string: Bytes, stringStart: number,
  nocase: boolean, state: MatchState): boolean {
  let p = patternStart;
  let s = stringStart;
  const patternEnd = pattern.length;
  const stringEnd = string.length;
  // charCodeAt past the end yields NaN, standing in for C's terminating NUL in comparisons.
  while (p < patternEnd && s < stringEnd) {
    const c = pattern.charCodeAt(p);
    if (c === STAR) {
      while (p + 1 < patternEnd && pattern.charCodeAt(p + 1) === STAR) p++;
      if (p + 1 === patternEnd) return true;
      while (s < stringEnd) {
        if (matchFrom(pattern, p + 1, string, s, nocase, state)) return true;
        if (state.skipLongerMatches) return false;
        s++;
      }
      state.skipLongerMatches = true;
      return false;
    } else if (c === QUESTION) {
      s++;
    } else if (c === OPEN) {
      const result = matchClass(pattern, p + 1, string.charCodeAt(s), nocase);
      if (!result.match) return false;
      p = result.end;
      s++;
    } else {
      if (c === BACKSLASH && patternEnd - p >= 2) p++;
      const literal = pattern.charCodeAt(p);
      const subject = string.charCodeAt(s);
      if (nocase ? lower(literal) !== lower(subject) : literal !== subject) return false;
      s++;
    }
    p++;
    if (s === stringEnd) {
      while (p < patternEnd && pattern.charCodeAt(p) === STAR) p++;
      break;
    }
  }
  return p === patternEnd && s === stringEnd;
}

/** Matches one `[...]` class starting after the `[`; `end` is the index of its closing `]` (or last byte). */
function matchClass(pattern: Bytes, start: number, subject: number, nocase: boolean): { match: boolean; end: number } {
  const patternEnd = pattern.length;
  let p = start;
  const negate = pattern.charCodeAt(p) === CARET;
  if (negate) p++;
  let match = false;
  for (;;) {
    const c = pattern.charCodeAt(p);
    const remaining = patternEnd - p;
    if (c === BACKSLASH && remaining >= 2) {
      p++;
      if (pattern.charCodeAt(p) === subject) match = true;
    } else if (c === CLOSE) {
      break;
    } else if (remaining <= 0) {
      p--;
      break;
    } else if (remaining >= 3 && pattern.charCodeAt(p + 1) === DASH) {
      let low = signedChar(c);
      let high = signedChar(pattern.charCodeAt(p + 2));
      let value = signedChar(subject);
      if (low > high) { const swap = low; low = high; high = swap; }
      if (nocase) { low = lower(low); high = lower(high); value = lower(value); }
      p += 2;
      if (value >= low && value <= high) match = true;
    } else if (nocase ? lower(c) === lower(subject) : c === subject) {
      match = true;
    }
    p++;
  }
  return { match: negate ? !match : match, end: p };
}

/**
 * stringmatchlen: does `string` match glob `pattern` (both byte strings)? Like Redis, an empty
 * `string` matches only the empty pattern (not even "*"); KEYS and SCAN MATCH treat the one-byte
 * pattern "*" as "everything" before calling this, and callers must do the same.
 */
export function stringMatch(pattern: Bytes, string: Bytes, nocase = false): boolean {
  return matchFrom(pattern, 0, string, 0, nocase, { skipLongerMatches: false });
}
