/**
 * GEO commands (redis `src/geo.c`): points live in a sorted set whose scores are 52-bit geohashes. GEOADD turns
 * its arguments into a ZADD and runs it (so it propagates and notifies as ZADD, like Redis); searches scan the
 * score ranges of the centre cell and its neighbours (`geoSearchScoreRanges`) and filter with
 * `geoWithinShape`, both from keyspace/algorithms/geohash.ts.
 */
import type { CommandDef } from './table.js';
import type { Session } from './session.js';
import { NOTIFY } from './engine.js';
import { ERR } from './errors.js';
import { is, parseInt64 } from './args.js';
import { zaddGeneric, zsetAt } from './zsets.js';
import { pqsort } from './sort.js';
import {
  ZSetValue, geoScore, geoDecodeScore, geohashString, geoDistance, geoUnitToMeters, geoSearchScoreRanges,
  geoWithinShape, formatFixedPoint, formatHumanDouble, string2d, type GeoShape, type Bytes,
} from '../keyspace/index.js';

const geoError = {
  badUnit: 'ERR unsupported unit provided. please use M, KM, FT, MI',
  radiusNotNumeric: 'ERR need numeric radius',
  radiusNegative: 'ERR radius cannot be negative',
  widthNotNumeric: 'ERR need numeric width',
  heightNotNumeric: 'ERR need numeric height',
  boxNegative: 'ERR height or width cannot be negative',
  undecodableMember: 'ERR could not decode requested zset member',
  countPositive: 'ERR COUNT must be > 0',
  anyNeedsCount: 'ERR the ANY argument requires COUNT argument',
} as const;

/** C "%f": six decimals of the exact value (glibc rounds the exact binary value half-even). */
function cFixed6(d: number): string {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'nan' : d > 0 ? 'inf' : '-inf';
  if (Math.abs(d) < 1e21) return d.toFixed(6);
  return `${BigInt(d).toString()}.000000`;
}

/** extractLongLatOrReply. */
function longLatOrReply(s: Session, lonArg: Bytes, latArg: Bytes): [number, number] | null {
  const lon = string2d(lonArg);
  if (lon === null) return replyNull(s, ERR.notFloat);
  const lat = string2d(latArg);
  if (lat === null) return replyNull(s, ERR.notFloat);
  if (geoScore(lon, lat) === null) return replyNull(s, `ERR invalid longitude,latitude pair ${cFixed6(lon)},${cFixed6(lat)}`);
  return [lon, lat];
}

function replyNull(s: Session, message: string): null {
  s.engine.replyError(s, message);
  return null;
}

function unitOrReply(s: Session, arg: Bytes): number | null {
  const meters = geoUnitToMeters(arg);
  return meters === null ? replyNull(s, geoError.badUnit) : meters;
}

function geoadd(s: Session, args: Bytes[]): void {
  let nx = false;
  let xx = false;
  let longIndex = 2;
  for (; longIndex < args.length; longIndex++) {
    const opt = args[longIndex]!;
    if (is(opt, 'nx')) nx = true;
    else if (is(opt, 'xx')) xx = true;
    else if (!is(opt, 'ch')) break;
  }
  if ((args.length - longIndex) % 3 !== 0 || (xx && nx)) return s.engine.replyError(s, ERR.syntax);
  const zaddArgs = ['zadd', ...args.slice(1, longIndex)];
  for (let i = longIndex; i < args.length; i += 3) {
    const xy = longLatOrReply(s, args[i]!, args[i + 1]!);
    if (xy === null) return;
    zaddArgs.push(String(geoScore(xy[0], xy[1])), args[i + 2]!);
  }
  s.engine.rewrite(zaddArgs);
  zaddGeneric(s, zaddArgs, false);
}

function geohash(s: Session, args: Bytes[]): void {
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  s.reply.array(args.length - 2);
  for (let j = 2; j < args.length; j++) {
    const score = zset?.score(args[j]!);
    if (score === undefined) s.reply.nullBulk();
    else s.reply.bulk(geohashString(score));
  }
}

function geopos(s: Session, args: Bytes[]): void {
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  s.reply.array(args.length - 2);
  for (let j = 2; j < args.length; j++) {
    const score = zset?.score(args[j]!);
    if (score === undefined) {
      s.reply.nullArray();
      continue;
    }
    const [lon, lat] = geoDecodeScore(score);
    s.reply.array(2);
    s.reply.double(formatHumanDouble(lon));
    s.reply.double(formatHumanDouble(lat));
  }
}

function geodist(s: Session, args: Bytes[]): void {
  let toMeters = 1;
  if (args.length === 5) {
    const unit = unitOrReply(s, args[4]!);
    if (unit === null) return;
    toMeters = unit;
  } else if (args.length > 5) {
    return s.engine.replyError(s, ERR.syntax);
  }
  const zset = zsetAt(s, args[1]!, false);
  if (zset === null) return;
  const a = zset?.score(args[2]!);
  const b = zset?.score(args[3]!);
  if (a === undefined || b === undefined) return s.reply.nullBulk();
  const [lon1, lat1] = geoDecodeScore(a);
  const [lon2, lat2] = geoDecodeScore(b);
  s.reply.bulk(formatFixedPoint(geoDistance(lon1, lat1, lon2, lat2) / toMeters, 4));
}

// ---------------------------------------------------------------------------------------------------------------
// Searches (georadiusGeneric)

const COORDS = 1;
const MEMBER = 2;
const NO_STORE = 4;
const SEARCH = 8;
const SEARCH_STORE = 16;

interface SearchOptions {
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  any: boolean;
  sort: 'none' | 'asc' | 'desc';
  count: number;
  storeKey: Bytes | null;
  storeDist: boolean;
}

interface Found {
  member: Bytes;
  score: number;
  longitude: number;
  latitude: number;
  distance: number;
}

/** membersOfAllNeighbors: points of the covering cells inside the shape, stopping early at `limit` (ANY). */
function searchPoints(zset: ZSetValue, shape: GeoShape, limit: number): Found[] {
  const found: Found[] = [];
  for (const range of geoSearchScoreRanges(shape)) {
    if (found.length > 0 && limit > 0 && found.length >= limit) break;
    let node = zset.firstInScoreRange({ min: range.min, max: range.max, minExclusive: false, maxExclusive: true });
    while (node !== null && node.score < range.max) {
      const hit = geoWithinShape(shape, node.score);
      if (hit !== null) found.push({ member: node.member, score: node.score, ...hit });
      if (found.length > 0 && limit > 0 && found.length >= limit) break;
      node = zset.step(node, false);
    }
  }
  return found;
}

function georadiusGeneric(s: Session, args: Bytes[], keyIndex: number, flags: number): void {
  const zset = zsetAt(s, args[keyIndex]!, false);
  if (zset === null) return;
  let base: number;
  let center: [number, number] | null = null;
  let radius: { radius: number; conversion: number } | null = null;
  let box: { width: number; height: number; conversion: number } | null = null;
  if (flags & COORDS) {
    base = 6;
    center = longLatOrReply(s, args[2]!, args[3]!);
    if (center === null) return;
    radius = distanceOrReply(s, args[4]!, args[5]!);
    if (radius === null) return;
  } else if (flags & MEMBER) {
    base = 5;
    if (zset !== undefined) {
      center = memberCenter(zset, args[2]!);
      if (center === null) return s.engine.replyError(s, geoError.undecodableMember);
      radius = distanceOrReply(s, args[3]!, args[4]!);
      if (radius === null) return;
    }
  } else {
    base = flags & SEARCH_STORE ? 3 : 2;
  }
  const o: SearchOptions = {
    withDist: false, withHash: false, withCoord: false, any: false, sort: 'none', count: 0,
    storeKey: flags & SEARCH_STORE ? args[1]! : null, storeDist: false,
  };
  let fromMember = false;
  let fromLonLat = false;
  const remaining = args.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = args[base + i]!;
    const next = (k: number): Bytes => args[base + i + k]!;
    if (is(arg, 'withdist')) o.withDist = true;
    else if (is(arg, 'withhash')) o.withHash = true;
    else if (is(arg, 'withcoord')) o.withCoord = true;
    else if (is(arg, 'any')) o.any = true;
    else if (is(arg, 'asc')) o.sort = 'asc';
    else if (is(arg, 'desc')) o.sort = 'desc';
    else if (is(arg, 'count') && i + 1 < remaining) {
      const v = parseInt64(next(1));
      if (v === null) return s.engine.replyError(s, ERR.notInteger);
      if (v <= 0) return s.engine.replyError(s, geoError.countPositive);
      o.count = Number(v);
      i++;
    } else if ((is(arg, 'store') || is(arg, 'storedist')) && i + 1 < remaining && !(flags & NO_STORE) && !(flags & SEARCH)) {
      o.storeKey = next(1);
      o.storeDist = is(arg, 'storedist');
      i++;
    } else if (is(arg, 'storedist') && flags & SEARCH && flags & SEARCH_STORE) {
      o.storeDist = true;
    } else if (is(arg, 'frommember') && i + 1 < remaining && flags & SEARCH && !fromLonLat) {
      if (zset !== undefined) {
        center = memberCenter(zset, next(1));
        if (center === null) return s.engine.replyError(s, geoError.undecodableMember);
      }
      fromMember = true;
      i++;
    } else if (is(arg, 'fromlonlat') && i + 2 < remaining && flags & SEARCH && !fromMember) {
      center = longLatOrReply(s, next(1), next(2));
      if (center === null) return;
      fromLonLat = true;
      i += 2;
    } else if (is(arg, 'byradius') && i + 2 < remaining && flags & SEARCH && box === null) {
      radius = distanceOrReply(s, next(1), next(2));
      if (radius === null) return;
      i += 2;
    } else if (is(arg, 'bybox') && i + 3 < remaining && flags & SEARCH && radius === null) {
      box = boxOrReply(s, next(1), next(2), next(3));
      if (box === null) return;
      i += 3;
    } else {
      return s.engine.replyError(s, ERR.syntax);
    }
  }
  if (o.storeKey !== null && (o.withDist || o.withHash || o.withCoord)) {
    const what = flags & SEARCH_STORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    return s.engine.replyError(s, `ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (flags & SEARCH && !(fromMember || fromLonLat)) {
    return s.engine.replyError(s, `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${args[0]!}`);
  }
  if (flags & SEARCH && radius === null && box === null) {
    return s.engine.replyError(s, `ERR exactly one of BYRADIUS and BYBOX can be specified for ${args[0]!}`);
  }
  if (o.any && o.count === 0) return s.engine.replyError(s, geoError.anyNeedsCount);
  if (zset === undefined || center === null) return replyMissingSource(s, o.storeKey);
  if (o.count !== 0 && o.sort === 'none' && !o.any) o.sort = 'asc';
  const [longitude, latitude] = center;
  const shape: GeoShape = box !== null
    ? { type: 'box', longitude, latitude, ...box }
    : { type: 'radius', longitude, latitude, radius: radius!.radius, conversion: radius!.conversion };
  const found = searchPoints(zset, shape, o.any ? o.count : 0);
  if (found.length === 0 && o.storeKey === null) return s.reply.array(0);
  const returned = o.count === 0 || found.length < o.count ? found.length : o.count;
  if (o.sort !== 'none') {
    // sort_gp_asc / sort_gp_desc: by distance only, so ties keep the order the sort leaves them in.
    const asc = (a: Found, b: Found): number => (a.distance > b.distance ? 1 : a.distance === b.distance ? 0 : -1);
    const compare = o.sort === 'asc' ? asc : (a: Found, b: Found): number => -asc(a, b);
    if (returned === found.length) found.sort(compare);
    else pqsort(found, compare, 0, returned - 1);
  }
  const results = found.slice(0, returned);
  for (const f of results) f.distance /= shape.conversion;
  if (o.storeKey === null) return replySearch(s, results, o);
  storeSearch(s, results, o, flags & SEARCH ? 'geosearchstore' : 'georadiusstore');
}

function memberCenter(zset: ZSetValue, member: Bytes): [number, number] | null {
  const score = zset.score(member);
  return score === undefined ? null : geoDecodeScore(score);
}

function distanceOrReply(s: Session, distanceArg: Bytes, unitArg: Bytes): { radius: number; conversion: number } | null {
  const radius = string2d(distanceArg);
  if (radius === null) return replyNull(s, geoError.radiusNotNumeric);
  if (radius < 0) return replyNull(s, geoError.radiusNegative);
  const conversion = unitOrReply(s, unitArg);
  return conversion === null ? null : { radius, conversion };
}

function boxOrReply(s: Session, widthArg: Bytes, heightArg: Bytes, unitArg: Bytes): { width: number; height: number; conversion: number } | null {
  const width = string2d(widthArg);
  if (width === null) return replyNull(s, geoError.widthNotNumeric);
  const height = string2d(heightArg);
  if (height === null) return replyNull(s, geoError.heightNotNumeric);
  if (height < 0 || width < 0) return replyNull(s, geoError.boxNegative);
  const conversion = unitOrReply(s, unitArg);
  return conversion === null ? null : { width, height, conversion };
}

function replyMissingSource(s: Session, storeKey: Bytes | null): void {
  if (storeKey === null) return s.reply.array(0);
  if (s.db.getWrite(storeKey) !== undefined && s.db.delete(storeKey)) {
    s.engine.notify(NOTIFY.generic, 'del', storeKey, s.db.id);
    s.engine.addDirty();
  }
  s.reply.integer(0);
}

function replySearch(s: Session, results: Found[], o: SearchOptions): void {
  const options = (o.withDist ? 1 : 0) + (o.withCoord ? 1 : 0) + (o.withHash ? 1 : 0);
  s.reply.array(results.length);
  for (const f of results) {
    if (options > 0) s.reply.array(options + 1);
    s.reply.bulk(f.member);
    if (o.withDist) s.reply.bulk(formatFixedPoint(f.distance, 4));
    if (o.withHash) s.reply.integer(scoreAsLongLong(f.score));
    if (o.withCoord) {
      s.reply.array(2);
      s.reply.double(formatHumanDouble(f.longitude));
      s.reply.double(formatHumanDouble(f.latitude));
    }
  }
}

/** C's (long long) cast of a score: truncation toward zero; out of range gives LLONG_MIN on x86. */
function scoreAsLongLong(score: number): bigint {
  const truncated = Math.trunc(score);
  if (!(truncated < 2 ** 63 && truncated >= -(2 ** 63))) return -9223372036854775808n;
  return BigInt(truncated);
}

function storeSearch(s: Session, results: Found[], o: SearchOptions, event: string): void {
  const storeKey = o.storeKey!;
  if (results.length > 0) {
    const zset = ZSetValue.empty(false);
    let maxLength = 0;
    for (const f of results) {
      zset.insert(f.member, o.storeDist ? f.distance : f.score);
      if (f.member.length > maxLength) maxLength = f.member.length;
    }
    zset.convertToListpackIfFits(s.engine.keyspace.config, maxLength);
    s.db.set(storeKey, zset);
    s.engine.notify(NOTIFY.zset, event, storeKey, s.db.id);
    s.engine.addDirty(results.length);
  } else if (s.db.getWrite(storeKey) !== undefined && s.db.delete(storeKey)) {
    s.engine.notify(NOTIFY.generic, 'del', storeKey, s.db.id);
    s.engine.addDirty();
  }
  s.reply.integer(results.length);
}

export const geoCommands: CommandDef[] = [
  { name: 'geoadd', handler: geoadd },
  { name: 'geohash', handler: geohash },
  { name: 'geopos', handler: geopos },
  { name: 'geodist', handler: geodist },
  { name: 'georadius', handler: (s, a) => georadiusGeneric(s, a, 1, COORDS) },
  { name: 'georadius_ro', handler: (s, a) => georadiusGeneric(s, a, 1, COORDS | NO_STORE) },
  { name: 'georadiusbymember', handler: (s, a) => georadiusGeneric(s, a, 1, MEMBER) },
  { name: 'georadiusbymember_ro', handler: (s, a) => georadiusGeneric(s, a, 1, MEMBER | NO_STORE) },
  { name: 'geosearch', handler: (s, a) => georadiusGeneric(s, a, 1, SEARCH) },
  { name: 'geosearchstore', handler: (s, a) => georadiusGeneric(s, a, 2, SEARCH | SEARCH_STORE) },
];
