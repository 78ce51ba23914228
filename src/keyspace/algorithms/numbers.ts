// Number parsing and formatting with the exact C semantics Redis 7.0 replies depend on (redis
// src/util.c string2ll/string2d/string2ld/ld2string/d2string/fixedpoint_d2string, networking.c
// addReplyDouble): glibc strtod/strtold acceptance and correct rounding, "%.17g" with
// round-half-even, and the x86 80-bit `long double` that INCRBYFLOAT/HINCRBYFLOAT compute in.
//
// Long doubles are emulated exactly with BigInt: a finite value is (-1)^negative * mantissa *
// 2^exponent, rounded after every operation to a 64-bit significand (round-half-even), with x87
// extended range: normal exponents down to 2^-16382, subnormals down to 2^-16445, overflow past
// (2 - 2^-63) * 2^16383. Doubles use the same rounding at 53 bits when the input is hex.
import type { Bytes } from './bytes.js';

// ---------------------------------------------------------------------------------------------
// Integers: string2ll (strict: no '+', no leading zeros, no spaces, "-0" invalid, int64 range).

/** LONG_STR_SIZE: string2ll rejects inputs this long or longer. */
const LONG_STR_SIZE = 21;
const INT64_MAX = (1n << 63n) - 1n;

/** string2ll: the int64 value of a strict decimal string, or null. */
export function string2ll(s: Bytes): bigint | null {
  const length = s.length;
  if (length === 0 || length >= LONG_STR_SIZE) return null;
  if (length === 1 && s.charCodeAt(0) === 0x30) return 0n;
  let p = 0;
  const negative = s.charCodeAt(0) === 0x2d;
  if (negative) {
    p = 1;
    if (length === 1) return null;
  }
  const first = s.charCodeAt(p);
  if (first < 0x31 || first > 0x39) return null;
  for (let i = p + 1; i < length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
  }
  if (length - p <= 15) {
    const magnitude = Number(s.slice(p));
    return BigInt(negative ? -magnitude : magnitude);
  }
  const magnitude = BigInt(s.slice(p));
  if (negative ? magnitude > INT64_MAX + 1n : magnitude > INT64_MAX) return null;
  return negative ? -magnitude : magnitude;
}

/** string2l: identical to string2ll where `long` is 64-bit (Linux x86-64). */
export const string2l = string2ll;

/**
 * string2ll with a fast path: a JS number when the value is a safe integer (|n| < 2^53), a bigint
 * for the rest of the int64 range, null when invalid.
 */
export function parseInteger(s: Bytes): number | bigint | null {
  const length = s.length;
  if (length > 0 && length <= 16) {
    const value = string2llSmall(s);
    if (value !== undefined) return value;
  }
  const value = string2ll(s);
  if (value === null) return null;
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/** string2ll for inputs of at most 16 chars (always within ±2^53 when valid); undefined = too long. */
function string2llSmall(s: Bytes): number | null | undefined {
  const length = s.length;
  if (length === 1 && s.charCodeAt(0) === 0x30) return 0;
  let p = 0;
  const negative = s.charCodeAt(0) === 0x2d;
  if (negative) {
    p = 1;
    if (length === 1) return null;
  }
  if (length - p > 15) return undefined;
  const first = s.charCodeAt(p);
  if (first < 0x31 || first > 0x39) return null;
  let value = first - 0x30;
  for (let i = p + 1; i < length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    value = value * 10 + (c - 0x30);
  }
  return negative ? -value : value;
}

// ---------------------------------------------------------------------------------------------
// Binary floating point with explicit precision, for strtod/strtold and long double sums.

export type LongDouble =
  | { kind: 'finite'; negative: boolean; mantissa: bigint; exponent: number }
  | { kind: 'infinite'; negative: boolean }
  | { kind: 'nan' };

interface BinaryFormat {
  precisionBits: number; // significand bits including the leading one
  minLsbExponent: number; // exponent of the smallest subnormal
  maxExponent: number; // values >= 2^(maxExponent+1) overflow
}

export const LONG_DOUBLE_FORMAT: BinaryFormat = { precisionBits: 64, minLsbExponent: -16445, maxExponent: 16383 };
const DOUBLE_FORMAT: BinaryFormat = { precisionBits: 53, minLsbExponent: -1074, maxExponent: 1023 };

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Round-half-even of numerator / denominator (both > 0) to an integer. */
function divideRoundEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator - quotient * denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && (quotient & 1n) === 1n)) return quotient + 1n;
  return quotient;
}

/** Rounds the positive rational numerator/denominator into `format` (may give zero or infinity). */
function roundRational(negative: boolean, numerator: bigint, denominator: bigint, format: BinaryFormat): LongDouble {
  if (numerator === 0n) return { kind: 'finite', negative, mantissa: 0n, exponent: 0 };
  // floor(log2(n/d)) is bitLength(n) - bitLength(d) or one less.
  let log2 = bitLength(numerator) - bitLength(denominator);
  if (log2 >= 0 ? numerator < denominator << BigInt(log2) : numerator << BigInt(-log2) < denominator) log2--;
  if (log2 > format.maxExponent) return { kind: 'infinite', negative };
  const shift = Math.max(log2 - (format.precisionBits - 1), format.minLsbExponent);
  let mantissa = shift >= 0
    ? divideRoundEven(numerator, denominator << BigInt(shift))
    : divideRoundEven(numerator << BigInt(-shift), denominator);
  let exponent = shift;
  if (mantissa === 1n << BigInt(format.precisionBits)) {
    mantissa >>= 1n;
    exponent++;
  }
  if (mantissa !== 0n && exponent + format.precisionBits - 1 > format.maxExponent) return { kind: 'infinite', negative };
  return { kind: 'finite', negative, mantissa, exponent };
}

function isZero(value: LongDouble): boolean {
  return value.kind === 'finite' && value.mantissa === 0n;
}

/** The exact long double of a JS number (every double is representable). */
export function longDoubleFromNumber(d: number): LongDouble {
  if (Number.isNaN(d)) return { kind: 'nan' };
  const negative = d < 0 || Object.is(d, -0);
  if (!Number.isFinite(d)) return { kind: 'infinite', negative };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const biased = (view.getUint16(0) >> 4) & 0x7ff;
  const fraction = view.getBigUint64(0) & ((1n << 52n) - 1n);
  if (biased === 0) return { kind: 'finite', negative, mantissa: fraction, exponent: -1074 };
  return { kind: 'finite', negative, mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** Long double addition, rounded to 64 bits (x87 extended, round to nearest even). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return { kind: 'nan' };
  if (a.kind === 'infinite' || b.kind === 'infinite') {
    if (a.kind === 'infinite' && b.kind === 'infinite' && a.negative !== b.negative) return { kind: 'nan' };
    return a.kind === 'infinite' ? a : b;
  }
  const exponent = Math.min(a.exponent, b.exponent);
  const sa = (a.mantissa << BigInt(a.exponent - exponent)) * (a.negative ? -1n : 1n);
  const sb = (b.mantissa << BigInt(b.exponent - exponent)) * (b.negative ? -1n : 1n);
  const sum = sa + sb;
  if (sum === 0n) return { kind: 'finite', negative: a.negative && b.negative, mantissa: 0n, exponent: 0 };
  const negative = sum < 0n;
  const magnitude = negative ? -sum : sum;
  return exponent >= 0
    ? roundRational(negative, magnitude << BigInt(exponent), 1n, LONG_DOUBLE_FORMAT)
    : roundRational(negative, magnitude, 1n << BigInt(-exponent), LONG_DOUBLE_FORMAT);
}

// ---------------------------------------------------------------------------------------------
// strtod / strtold as string2d / string2ld accept them.

const DECIMAL = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INFINITY_TEXT = /^([+-]?)(?:inf|infinity)$/i;
/** MAX_LONG_DOUBLE_CHARS: string2ld rejects inputs this long or longer. */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/** Saturating parse of an exponent's decimal digits (glibc saturates too). */
function exponentOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const value = Number(text);
  return Math.max(-1e9, Math.min(1e9, value));
}

/**
 * Parses like glibc strto(l)d over the WHOLE string, applying Redis's rejections: leading space,
 * trailing bytes, NaN, overflow to ±inf, and underflow to zero (ERANGE with a zero result).
 * Explicit "inf"/"infinity" (any case, optional sign) is accepted, as in Redis.
 */
function parseBinary(s: Bytes, format: BinaryFormat): LongDouble | null {
  const infinity = INFINITY_TEXT.exec(s);
  if (infinity !== null) return { kind: 'infinite', negative: infinity[1] === '-' };
  let negative: boolean;
  let numerator: bigint;
  let denominator = 1n;
  const decimal = DECIMAL.exec(s);
  if (decimal !== null) {
    negative = decimal[1] === '-';
    const intDigits = decimal[2] ?? '';
    const fracDigits = decimal[3] ?? decimal[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits === '') return { kind: 'finite', negative, mantissa: 0n, exponent: 0 };
    const exponent10 = exponentOf(decimal[5]) - fracDigits.length;
    // Far outside any representable magnitude: decide without building huge powers of ten.
    if (exponent10 + digits.length > 5000) return null;
    if (exponent10 + digits.length < -5000) return null;
    numerator = BigInt(digits);
    if (exponent10 >= 0) numerator *= 10n ** BigInt(exponent10);
    else denominator = 10n ** BigInt(-exponent10);
  } else {
    const hex = HEX.exec(s);
    if (hex === null) return null;
    negative = hex[1] === '-';
    const intDigits = hex[2] ?? '';
    const fracDigits = hex[3] ?? hex[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits === '') return { kind: 'finite', negative, mantissa: 0n, exponent: 0 };
    const exponent2 = exponentOf(hex[5]) - 4 * fracDigits.length;
    if (exponent2 + 4 * digits.length > 20000 || exponent2 + 4 * digits.length < -20000) return null;
    numerator = BigInt(`0x${digits}`);
    if (exponent2 >= 0) numerator <<= BigInt(exponent2);
    else denominator = 1n << BigInt(-exponent2);
  }
  const value = roundRational(negative, numerator, denominator, format);
  if (value.kind !== 'finite' || value.mantissa === 0n) return null; // ERANGE overflow / underflow to zero
  return value;
}

/** string2ld: a long double, or null when Redis would reply "value is not a valid float". */
export function string2ld(s: Bytes): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  return parseBinary(s, LONG_DOUBLE_FORMAT);
}

/** string2d (ZADD scores, GEO coordinates, ...): a double, or null when invalid. */
export function string2d(s: Bytes): number | null {
  if (s.length === 0) return null;
  const decimal = DECIMAL.exec(s);
  if (decimal !== null) {
    const value = Number(s); // V8 parses decimal strings with correct rounding, like glibc.
    if (!Number.isFinite(value)) return null;
    if (value === 0 && /[1-9]/.test((decimal[2] ?? '') + (decimal[3] ?? decimal[4] ?? ''))) return null;
    return value;
  }
  const parsed = parseBinary(s, DOUBLE_FORMAT);
  if (parsed === null) return null;
  return longDoubleToNumber(parsed);
}

/** Converts a long double that holds a double's value (53-bit mantissa, double range) to a number. */
function longDoubleToNumber(value: LongDouble): number {
  if (value.kind === 'nan') return NaN;
  if (value.kind === 'infinite') return value.negative ? -Infinity : Infinity;
  const magnitude = Number(value.mantissa) * 2 ** value.exponent;
  return value.negative ? -magnitude : magnitude;
}

// ---------------------------------------------------------------------------------------------
// Formatting.

/** "%.17Lf" of a finite long double, exact, round-half-even, as sign + digits. */
function fixed17(value: LongDouble & { kind: 'finite' }): string {
  const scale = 10n ** 17n;
  let scaled: bigint;
  if (value.exponent >= 0) scaled = (value.mantissa << BigInt(value.exponent)) * scale;
  else scaled = divideRoundEven(value.mantissa * scale, 1n << BigInt(-value.exponent));
  const digits = scaled.toString().padStart(18, '0');
  const text = `${digits.slice(0, -17)}.${digits.slice(-17)}`;
  return value.negative ? `-${text}` : text;
}

/**
 * ld2string(LD_STR_HUMAN): "%.17Lf", trailing zeros and a trailing '.' removed, "-0" -> "0";
 * "inf" / "-inf" for infinities. (INCRBYFLOAT results, GEOPOS coordinates, RESP2 human doubles.)
 */
export function formatLongDoubleHuman(value: LongDouble): string {
  if (value.kind === 'infinite') return value.negative ? '-inf' : 'inf';
  if (value.kind === 'nan') return 'nan';
  let text = fixed17(value);
  let end = text.length;
  while (text.charCodeAt(end - 1) === 0x30) end--;
  if (text.charCodeAt(end - 1) === 0x2e) end--;
  text = text.slice(0, end);
  return text === '-0' ? '0' : text;
}

/** addReplyHumanLongDouble of a double (GEOPOS, GEOSEARCH WITHCOORD). */
export function formatHumanDouble(d: number): string {
  return formatLongDoubleHuman(longDoubleFromNumber(d));
}

const POWERS_OF_FIVE: bigint[] = [];
for (let k = 0, p = 1n; k <= 30; k++, p *= 5n) POWERS_OF_FIVE.push(p);

/**
 * The 17 significant digits and decimal exponent of |d| rounded half-even, as glibc's "%.17g"
 * computes them. JS toExponential rounds exact ties away from zero, so ties are detected (they
 * need an exact 18-digit expansion, i.e. few fractional bits) and fixed.
 */
function significand17(d: number): { digits: string; exponent: number } {
  const text = Math.abs(d).toExponential(16);
  const e = text.indexOf('e');
  const digits = text.slice(0, 1) + text.slice(2, e);
  const exponent = Number(text.slice(e + 1));
  // A tie needs at most 25 fractional bits (else the expansion has more than 18 digits).
  if (Number.isInteger(d) || !Number.isInteger(d * 33554432)) return { digits, exponent };
  const exact = longDoubleFromNumber(d);
  if (exact.kind !== 'finite' || exact.exponent >= 0 || exact.mantissa === 0n) return { digits, exponent };
  let mantissa = exact.mantissa;
  let fractionBits = -exact.exponent;
  while ((mantissa & 1n) === 0n) { mantissa >>= 1n; fractionBits--; }
  if (fractionBits > 25 || fractionBits <= 0) return { digits, exponent };
  const expansion = (mantissa * (POWERS_OF_FIVE[fractionBits] ?? 1n)).toString();
  if (expansion.length !== 18) return { digits, exponent };
  // An exact tie: round the 17 leading digits half-even instead of up.
  const head = BigInt(expansion.slice(0, 17));
  if ((head & 1n) === 1n) return { digits, exponent }; // odd: rounding up is also half-even
  const truncated = Math.abs(d).toExponential(17);
  const e18 = truncated.indexOf('e');
  return { digits: expansion.slice(0, 17), exponent: Number(truncated.slice(e18 + 1)) };
}

/** C "%.17g" of a double ("inf", "-inf", "nan" for non-finite, as Redis writes them). */
export function formatDouble17g(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const { digits, exponent } = significand17(d);
  const sign = d < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 17) {
    const fraction = digits.slice(1).replace(/0+$/, '');
    const exponentText = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    return `${sign}${digits[0] ?? ''}${fraction === '' ? '' : `.${fraction}`}e${exponentText}`;
  }
  let text: string;
  if (exponent >= 0) text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  else text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  text = text.replace(/0+$/, '').replace(/\.$/, '');
  return sign + text;
}

/**
 * addReplyDouble's text (RESP2 bulk payload; RESP3 sends "," + this + CRLF): "%.17g", with
 * "inf"/"-inf" for infinities. Redis 7.0 ZSCORE, ZINCRBY, ZADD INCR, etc.
 */
export const formatDouble = formatDouble17g;

/** d2string: integers in ±LLONG_MAX/2 printed as integers, else "%.17g"; "-0", "nan", "inf". */
export function d2string(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (Number.isInteger(d) && d >= -4611686018427387904 && d <= 4611686018427387904) {
    return Math.abs(d) <= Number.MAX_SAFE_INTEGER ? String(d) : BigInt(d).toString();
  }
  return formatDouble17g(d);
}

/** llrint under round-to-nearest-even. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const difference = x - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** fixedpoint_d2string: llrint(d * 10^digits) printed with `digits` decimals (GEODIST replies). */
export function formatFixedPoint(d: number, fractionalDigits: number): string {
  if (fractionalDigits < 1 || fractionalDigits > 17) throw new RangeError('fractionalDigits must be 1..17');
  if (d === 0) return `0.${'0'.repeat(fractionalDigits)}`;
  const scaled = roundHalfEven(d * 10 ** fractionalDigits);
  const negative = scaled < 0;
  const digits = BigInt(Math.abs(scaled)).toString().padStart(fractionalDigits + 1, '0');
  const text = `${digits.slice(0, -fractionalDigits)}.${digits.slice(-fractionalDigits)}`;
  return negative ? `-${text}` : text;
}

// ---------------------------------------------------------------------------------------------
// INCRBYFLOAT / HINCRBYFLOAT.

export type IncrByFloatError =
  /** INCRBYFLOAT: "ERR value is not a valid float"; HINCRBYFLOAT: "ERR hash value is not a float". */
  | 'current-not-a-float'
  /** "ERR value is not a valid float". */
  | 'increment-not-a-float'
  /** HINCRBYFLOAT only: "ERR value is NaN or Infinity" (an "inf" increment). */
  | 'increment-nan-or-infinity'
  /** "ERR increment would produce NaN or Infinity". */
  | 'nan-or-infinity';

export type IncrByFloatResult = { ok: true; value: Bytes } | { ok: false; error: IncrByFloatError };

/**
 * INCRBYFLOAT's arithmetic (after the command's type check): parse the current value (missing =
 * 0) then the increment with string2ld, add in 80-bit extended precision, reject NaN/inf
 * results, format with ld2string HUMAN.
 */
export function incrByFloat(current: Bytes | null, increment: Bytes): IncrByFloatResult {
  const value = current === null ? longDoubleFromNumber(0) : string2ld(current);
  if (value === null) return { ok: false, error: 'current-not-a-float' };
  const delta = string2ld(increment);
  if (delta === null) return { ok: false, error: 'increment-not-a-float' };
  return addAndFormat(value, delta);
}

/**
 * HINCRBYFLOAT's arithmetic. Redis validates the increment (parse, then NaN/inf) BEFORE the
 * key's type check, so a handler should first test `string2ld(increment)` for that ordering;
 * `current` null = missing field (0).
 */
export function hincrByFloat(current: Bytes | null, increment: Bytes): IncrByFloatResult {
  const delta = string2ld(increment);
  if (delta === null) return { ok: false, error: 'increment-not-a-float' };
  if (delta.kind !== 'finite') return { ok: false, error: 'increment-nan-or-infinity' };
  const value = current === null ? longDoubleFromNumber(0) : string2ld(current);
  if (value === null) return { ok: false, error: 'current-not-a-float' };
  return addAndFormat(value, delta);
}

function addAndFormat(value: LongDouble, delta: LongDouble): IncrByFloatResult {
  const sum = addLongDouble(value, delta);
  if (sum.kind !== 'finite') return { ok: false, error: 'nan-or-infinity' };
  return { ok: true, value: formatLongDoubleHuman(sum) };
}

export { isZero as isLongDoubleZero };
