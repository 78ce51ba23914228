// Redis GEO math exactly as 7.0 does it (redis src/geohash.c, geohash_helper.c, geo.c): the
// 52-bit interleaved geohash stored as a sorted-set score, decoding to the cell centre (what
// GEOPOS returns), haversine distance on a 6372797.560856 m sphere, the 11-char GEOHASH string
// (re-encoded with the standard ±90 latitude range), and the 9-cell area cover GEOSEARCH scans.
// The command layer owns the sorted set; this module turns coordinates and shapes into scores,
// score ranges and per-point checks, in the order Redis visits them.
//
// Hash layout (step 26): bit 2i = latitude bit i, bit 2i+1 = longitude bit i, i.e.
//   ... lon25 lat25 ... lon1 lat1 lon0 lat0   (lat from [-85.05112878, 85.05112878],
//                                              lon from [-180, 180], each scaled to 2^26 cells)
// Trigonometry uses JS Math (fdlibm-derived in V8) where Redis uses glibc; both are within one
// ulp, so distances may differ in the last bit of a double, which the 4-decimal replies hide
// except in vanishingly rare rounding ties.

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

export interface GeoHashRange { min: number; max: number }
export interface GeoHashBits { bits: bigint; step: number }
export interface GeoHashArea { hash: GeoHashBits; longitude: GeoHashRange; latitude: GeoHashRange }

const WGS84_LONG: GeoHashRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const WGS84_LAT: GeoHashRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

// ---------------------------------------------------------------------------------------------
// Bit interleaving on uint32 halves.

function spread16(value: number): number {
  let v = value & 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

function compact16(value: number): number {
  let v = value & 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** interleave64(x, y): x in the even bits, y in the odd bits; returns [hi, lo] uint32 halves. */
function interleave(x: number, y: number): [number, number] {
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return [hi, lo];
}

const toBits = (hi: number, lo: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

/** C's (uint32_t) conversion of an in-range non-negative double: truncation. */
const toUint32 = (d: number): number => Math.trunc(d) >>> 0;

// ---------------------------------------------------------------------------------------------
// Encode / decode.

/** geohashEncode: null when out of the WGS84 limits or the range (Redis returns 0). */
export function geohashEncode(longRange: GeoHashRange, latRange: GeoHashRange, longitude: number, latitude: number,
  step: number): GeoHashBits | null {
  if (step > 32 || step === 0) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  const [hi, lo] = interleave(toUint32(latOffset), toUint32(longOffset));
  return { bits: toBits(hi, lo), step };
}

/** geohashEncodeWGS84 at `step`. */
export function geohashEncodeWGS84(longitude: number, latitude: number, step: number = GEO_STEP_MAX): GeoHashBits | null {
  return geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, step);
}

/**
 * The sorted-set score GEOADD stores for a point ((double) of the 52-bit hash), or null when
 * the pair is outside the limits (GEOADD: "invalid longitude,latitude pair").
 */
export function geoScore(longitude: number, latitude: number): number | null {
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  const latOffset = ((latitude - GEO_LAT_MIN) / (GEO_LAT_MAX - GEO_LAT_MIN)) * 2 ** GEO_STEP_MAX;
  const longOffset = ((longitude - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN)) * 2 ** GEO_STEP_MAX;
  const [hi, lo] = interleave(toUint32(latOffset), toUint32(longOffset));
  return hi * 4294967296 + lo; // one rounding, like C's (double)uint64
}

/**
 * (uint64_t)score as x86-64 gcc compiles it (Redis decodeGeohash), split into uint32 halves. Below 2^63 the cast
 * is cvttsd2si, which truncates toward zero into int64 (a negative result keeps its two's-complement bits) and
 * yields 0x8000000000000000 when the value does not fit (below -2^63, -inf). From 2^63 up gcc converts
 * score - 2^63 the same way and flips bit 63: exact below 2^64, and 0x8000000000000000 ^ 2^63 = 0 from 2^64 (+inf
 * too). Any zset score can be read as a position, so every double goes through here (issue #3).
 */
function scoreToHalves(score: number): [number, number] {
  if (score >= 0 && score <= Number.MAX_SAFE_INTEGER) {
    const whole = Math.trunc(score);
    return [Math.floor(whole / 4294967296), whole % 4294967296];
  }
  let bits: bigint;
  if (score >= 2 ** 64) bits = 0n;
  else if (score < -(2 ** 63) || Number.isNaN(score)) bits = 1n << 63n;
  else bits = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  return [Number(bits >> 32n), Number(bits & 0xffffffffn)];
}

function decodeHalves(hi: number, lo: number, step: number, longRange: GeoHashRange, latRange: GeoHashRange): GeoHashArea {
  const latCell = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const longCell = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  const cells = 2 ** step;
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  return {
    hash: { bits: toBits(hi, lo), step },
    latitude: {
      min: latRange.min + (latCell / cells) * latScale,
      max: latRange.min + (((latCell + 1) >>> 0) / cells) * latScale,
    },
    longitude: {
      min: longRange.min + (longCell / cells) * longScale,
      max: longRange.min + (((longCell + 1) >>> 0) / cells) * longScale,
    },
  };
}

/** geohashDecode of a hash at its step, over the given ranges. */
export function geohashDecode(longRange: GeoHashRange, latRange: GeoHashRange, hash: GeoHashBits): GeoHashArea {
  return decodeHalves(Number((hash.bits >> 32n) & 0xffffffffn), Number(hash.bits & 0xffffffffn), hash.step, longRange, latRange);
}

function areaCenter(area: GeoHashArea): [longitude: number, latitude: number] {
  let longitude = (area.longitude.min + area.longitude.max) / 2;
  if (longitude > GEO_LONG_MAX) longitude = GEO_LONG_MAX;
  if (longitude < GEO_LONG_MIN) longitude = GEO_LONG_MIN;
  let latitude = (area.latitude.min + area.latitude.max) / 2;
  if (latitude > GEO_LAT_MAX) latitude = GEO_LAT_MAX;
  if (latitude < GEO_LAT_MIN) latitude = GEO_LAT_MIN;
  return [longitude, latitude];
}

/** decodeGeohash(score): the cell centre [longitude, latitude] GEOPOS/GEODIST/GEOSEARCH use. */
export function geoDecodeScore(score: number): [longitude: number, latitude: number] {
  const [hi, lo] = scoreToHalves(score);
  return areaCenter(decodeHalves(hi, lo, GEO_STEP_MAX, WGS84_LONG, WGS84_LAT));
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-char string for a stored score (standard ±90 latitude range, last char '0'). */
export function geohashString(score: number): string {
  const [longitude, latitude] = geoDecodeScore(score);
  const hash = geohashEncode({ min: -180, max: 180 }, { min: -90, max: 90 }, longitude, latitude, GEO_STEP_MAX);
  const bits = hash === null ? 0n : hash.bits;
  let out = '';
  for (let i = 0; i < 10; i++) out += GEO_ALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)] ?? '';
  return `${out}0`;
}

// ---------------------------------------------------------------------------------------------
// Distances and units.

const degreesToRadians = (angle: number): number => angle * D_R;
const radiansToDegrees = (angle: number): number => angle / D_R;

/** geohashGetLatDistance. */
export function geoLatitudeDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degreesToRadians(lat2) - degreesToRadians(lat1));
}

/** geohashGetDistance: haversine distance in meters. */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degreesToRadians(lon1);
  const lon2r = degreesToRadians(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return geoLatitudeDistance(lat1, lat2);
  const lat1r = degreesToRadians(lat1);
  const lat2r = degreesToRadians(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** extractUnitOrReply: meters per unit (m, km, ft, mi; ASCII case-insensitive), null if unknown. */
export function geoUnitToMeters(unit: string): number | null {
  switch (unit.toLowerCase()) {
    case 'm': return 1;
    case 'km': return 1000;
    case 'ft': return 0.3048;
    case 'mi': return 1609.34;
    default: return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Search shapes and the area cover.

export type GeoShape =
  | { type: 'radius'; longitude: number; latitude: number; radius: number; conversion: number }
  | { type: 'box'; longitude: number; latitude: number; width: number; height: number; conversion: number };

/** geohashEstimateStepsByRadius. */
export function geohashEstimateStepsByRadius(rangeMeters: number, latitude: number): number {
  if (rangeMeters === 0) return 26;
  let range = rangeMeters;
  let step = 1;
  while (range < MERCATOR_MAX) {
    range *= 2;
    step++;
  }
  step -= 2;
  if (latitude > 66 || latitude < -66) {
    step--;
    if (latitude > 80 || latitude < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [minLon, minLat, maxLon, maxLat]. */
export function geohashBoundingBox(shape: GeoShape): [number, number, number, number] {
  const { longitude, latitude } = shape;
  const height = shape.conversion * (shape.type === 'radius' ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.type === 'radius' ? shape.radius : shape.width / 2);
  const latDelta = radiansToDegrees(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radiansToDegrees(width / EARTH_RADIUS_IN_METERS / Math.cos(degreesToRadians(latitude + latDelta)));
  const longDeltaBottom = radiansToDegrees(width / EARTH_RADIUS_IN_METERS / Math.cos(degreesToRadians(latitude - latDelta)));
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

const LONGITUDE_BITS = 0xaaaaaaaaaaaaaaaan;
const LATITUDE_BITS = 0x5555555555555555n;

/** geohash_move_x / geohash_move_y: step the cell one unit along one axis, wrapping around. */
function moveAxis(hash: GeoHashBits, direction: number, axis: bigint): GeoHashBits {
  if (direction === 0) return hash;
  const width = BigInt(64 - hash.step * 2);
  const other = axis === LONGITUDE_BITS ? LATITUDE_BITS : LONGITUDE_BITS;
  let moved = hash.bits & axis;
  const kept = hash.bits & other;
  const filler = other >> width;
  if (direction > 0) moved = moved + (filler + 1n);
  else moved = (moved | filler) - (filler + 1n);
  moved &= axis >> width;
  return { bits: (moved | kept) & 0xffffffffffffffffn, step: hash.step };
}

const moveX = (hash: GeoHashBits, direction: number): GeoHashBits => moveAxis(hash, direction, LONGITUDE_BITS);
const moveY = (hash: GeoHashBits, direction: number): GeoHashBits => moveAxis(hash, direction, LATITUDE_BITS);

export interface GeoHashNeighbors {
  north: GeoHashBits; south: GeoHashBits; east: GeoHashBits; west: GeoHashBits;
  northEast: GeoHashBits; northWest: GeoHashBits; southEast: GeoHashBits; southWest: GeoHashBits;
}

/** geohashNeighbors. */
export function geohashNeighbors(hash: GeoHashBits): GeoHashNeighbors {
  return {
    east: moveX(hash, 1), west: moveX(hash, -1), south: moveY(hash, -1), north: moveY(hash, 1),
    northWest: moveY(moveX(hash, -1), 1), northEast: moveY(moveX(hash, 1), 1),
    southEast: moveY(moveX(hash, 1), -1), southWest: moveY(moveX(hash, -1), -1),
  };
}

const ZERO_HASH: GeoHashBits = { bits: 0n, step: 0 };
const isZeroHash = (hash: GeoHashBits): boolean => hash.bits === 0n && hash.step === 0;

export interface GeoHashRadius { hash: GeoHashBits; neighbors: GeoHashNeighbors; area: GeoHashArea }

/** geohashCalculateAreasByShapeWGS84: centre cell + 8 neighbours, useless ones zeroed. */
export function geohashCalculateAreasByShape(shape: GeoShape): GeoHashRadius {
  const [minLon, minLat, maxLon, maxLat] = geohashBoundingBox(shape);
  const radiusMeters = (shape.type === 'radius' ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))) * shape.conversion;
  let steps = geohashEstimateStepsByRadius(radiusMeters, shape.latitude);
  const encodeAt = (step: number): GeoHashBits =>
    geohashEncode(WGS84_LONG, WGS84_LAT, shape.longitude, shape.latitude, step) ?? { bits: 0n, step };
  let hash = encodeAt(steps);
  let neighbors = geohashNeighbors(hash);
  let area = geohashDecode(WGS84_LONG, WGS84_LAT, hash);
  const decode = (bits: GeoHashBits): GeoHashArea => geohashDecode(WGS84_LONG, WGS84_LAT, bits);
  const decreaseStep = decode(neighbors.north).latitude.max < maxLat || decode(neighbors.south).latitude.min > minLat ||
    decode(neighbors.east).longitude.max < maxLon || decode(neighbors.west).longitude.min > minLon;
  if (steps > 1 && decreaseStep) {
    steps--;
    hash = encodeAt(steps);
    neighbors = geohashNeighbors(hash);
    area = decode(hash);
  }
  if (steps >= 2) {
    if (area.latitude.min < minLat) {
      neighbors = { ...neighbors, south: ZERO_HASH, southWest: ZERO_HASH, southEast: ZERO_HASH };
    }
    if (area.latitude.max > maxLat) {
      neighbors = { ...neighbors, north: ZERO_HASH, northEast: ZERO_HASH, northWest: ZERO_HASH };
    }
    if (area.longitude.min < minLon) {
      neighbors = { ...neighbors, west: ZERO_HASH, southWest: ZERO_HASH, northWest: ZERO_HASH };
    }
    if (area.longitude.max > maxLon) {
      neighbors = { ...neighbors, east: ZERO_HASH, southEast: ZERO_HASH, northEast: ZERO_HASH };
    }
  }
  return { hash, neighbors, area };
}

/** A sorted-set score range to scan: min inclusive, max exclusive. */
export interface GeoScoreRange { min: number; max: number }

/**
 * The score ranges GEOSEARCH/GEORADIUS scan, in Redis's order (centre, N, S, E, W, NE, NW, SE,
 * SW), skipping zeroed cells and a cell equal to the previously scanned one. Within each range
 * Redis walks the zset in order and keeps points passing geoWithinShape; a COUNT ... ANY limit
 * stops the walk as soon as that many points were kept.
 */
export function geoSearchScoreRanges(shape: GeoShape): GeoScoreRange[] {
  const { hash, neighbors } = geohashCalculateAreasByShape(shape);
  const cells = [hash, neighbors.north, neighbors.south, neighbors.east, neighbors.west,
    neighbors.northEast, neighbors.northWest, neighbors.southEast, neighbors.southWest];
  const ranges: GeoScoreRange[] = [];
  let last: GeoHashBits | null = null;
  for (const cell of cells) {
    if (isZeroHash(cell)) continue;
    if (last !== null && cell.bits === last.bits && cell.step === last.step) continue;
    const shift = BigInt(52 - cell.step * 2);
    ranges.push({ min: Number(cell.bits << shift), max: Number((cell.bits + 1n) << shift) });
    last = cell;
  }
  return ranges;
}

/**
 * geoWithinShape: decodes `score` and tests it against the shape. Returns the decoded point and
 * its distance in meters from the shape centre, or null when outside.
 */
export function geoWithinShape(shape: GeoShape, score: number): { longitude: number; latitude: number; distance: number } | null {
  const [longitude, latitude] = geoDecodeScore(score);
  if (shape.type === 'radius') {
    const distance = geoDistance(shape.longitude, shape.latitude, longitude, latitude);
    return distance > shape.radius * shape.conversion ? null : { longitude, latitude, distance };
  }
  const widthMeters = shape.width * shape.conversion;
  const heightMeters = shape.height * shape.conversion;
  if (geoLatitudeDistance(latitude, shape.latitude) > heightMeters / 2) return null;
  if (geoDistance(longitude, latitude, shape.longitude, latitude) > widthMeters / 2) return null;
  return { longitude, latitude, distance: geoDistance(shape.longitude, shape.latitude, longitude, latitude) };
}
