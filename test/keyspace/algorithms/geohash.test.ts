// Proves our geo math replies like Redis 7.0: seeded random and edge points are GEOADDed to a
// real redis-server; the stored scores, GEOPOS, GEOHASH and GEODIST (all units) must be
// byte-equal to ours, and GEOSEARCH radius/box results (members and WITHDIST text) must equal
// what our score ranges + shape test select from the same points.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  formatDouble, formatFixedPoint, formatHumanDouble, geoDecodeScore, geoDistance, geoScore, geoSearchScoreRanges,
  geoUnitToMeters, geoWithinShape, geohashString, GEO_LAT_MAX, GEO_LAT_MIN, type GeoShape,
} from '../../../src/keyspace/algorithms/index.js';
import { parseResp, requireRealRedis, startRealRedis, type RealRedis, type RespValue } from '../../helpers/real-redis.js';
import { seededRandom, type Random } from './random.js';

const available = requireRealRedis();
let redis: RealRedis;

beforeAll(async () => { if (available) redis = await startRealRedis(); });
afterAll(async () => { if (available) await redis.stop(); });

const bulk = (text: string): string => `$${text.length}\r\n${text}\r\n`;

function randomPoint(random: Random): [number, number] {
  const longitude = random.pick([random.next() * 360 - 180, -180, 180, 0, random.int(361) - 180]);
  const latitude = random.pick([random.next() * (GEO_LAT_MAX - GEO_LAT_MIN) + GEO_LAT_MIN, GEO_LAT_MAX, GEO_LAT_MIN, 0,
    random.next() * 20 - 10]);
  return [longitude, latitude];
}

interface Point { member: string; score: number }

describe.skipIf(!available)('geohash vs real Redis 7.0', () => {
  const points: Point[] = [];

  test('GEOADD scores, GEOPOS, GEOHASH, GEODIST byte-equal', async () => {
    const random = seededRandom('geo');
    await redis.call('DEL', 'g');
    const inputs: [number, number][] = [];
    for (let i = 0; i < 800; i++) inputs.push(randomPoint(random));
    for (let i = 0; i < 100; i++) inputs.push([random.next() * 0.2 + 13.3, random.next() * 0.2 + 38.1]); // a dense city
    await Promise.all(inputs.map(([longitude, latitude], i) => redis.call('GEOADD', 'g', String(longitude), String(latitude), `p${i}`)));
    const scores = await Promise.all(inputs.map((_, i) => redis.call('ZSCORE', 'g', `p${i}`)));
    inputs.forEach(([longitude, latitude], i) => {
      const score = geoScore(longitude, latitude);
      if (score === null) throw new Error('in range by construction');
      expect(bulk(formatDouble(score)), `score of ${longitude},${latitude}`).toBe(scores[i]?.toString('latin1'));
      points.push({ member: `p${i}`, score });
    });
    const positions = parseResp(await redis.call('GEOPOS', 'g', ...points.map((point) => point.member)));
    const hashes = parseResp(await redis.call('GEOHASH', 'g', ...points.map((point) => point.member)));
    points.forEach((point, i) => {
      const [longitude, latitude] = geoDecodeScore(point.score);
      expect([formatHumanDouble(longitude), formatHumanDouble(latitude)]).toEqual((positions as RespValue[])[i]);
      expect(geohashString(point.score)).toBe((hashes as RespValue[])[i]);
    });
    const pairs: [Point, Point, string][] = [];
    for (let i = 0; i < 1500; i++) pairs.push([random.pick(points), random.pick(points), random.pick(['m', 'km', 'ft', 'mi', 'KM', 'Mi'])]);
    const distances = await Promise.all(pairs.map(([a, b, unit]) => redis.call('GEODIST', 'g', a.member, b.member, unit)));
    pairs.forEach(([a, b, unit], i) => {
      const [lon1, lat1] = geoDecodeScore(a.score);
      const [lon2, lat2] = geoDecodeScore(b.score);
      const meters = geoUnitToMeters(unit);
      if (meters === null) throw new Error(unit);
      expect(bulk(formatFixedPoint(geoDistance(lon1, lat1, lon2, lat2) / meters, 4)), `${a.member} ${b.member} ${unit}`)
        .toBe(distances[i]?.toString('latin1'));
    });
    expect(geoUnitToMeters('yd')).toBeNull();
  });

  test('invalid coordinates are rejected like GEOADD', async () => {
    for (const [longitude, latitude] of [[180.0000001, 0], [-180.0000001, 0], [0, 85.05112879], [0, -85.0511288]] as const) {
      expect(geoScore(longitude, latitude)).toBeNull();
      const reply = (await redis.call('GEOADD', 'g2', String(longitude), String(latitude), 'x')).toString('latin1');
      expect(reply.startsWith('-ERR invalid longitude,latitude pair')).toBe(true);
    }
  });

  test('GEOSEARCH radius and box select the same members with the same distances', async () => {
    const random = seededRandom('geosearch');
    const byScore = [...points].sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
    for (let i = 0; i < 150; i++) {
      const center = random.next() < 0.5 ? random.pick(points) : null;
      const [longitude, latitude] = center === null ? randomPoint(random) : geoDecodeScore(center.score);
      const unit = random.pick(['m', 'km', 'mi', 'ft']);
      const conversion = geoUnitToMeters(unit) ?? 1;
      const size = random.pick([1, 50, 1000, 20000, 300000, 3000000, 10000000]) * random.next() / conversion;
      const shape: GeoShape = random.next() < 0.5
        ? { type: 'radius', longitude, latitude, radius: size, conversion }
        : { type: 'box', longitude, latitude, width: size * 2 * random.next(), height: size * 2 * random.next(), conversion };
      const byArgs = shape.type === 'radius' ? ['BYRADIUS', String(shape.radius), unit] : ['BYBOX', String(shape.width), String(shape.height), unit];
      const reply = parseResp(await redis.call('GEOSEARCH', 'g', 'FROMLONLAT', String(longitude), String(latitude), ...byArgs, 'WITHDIST'));
      if (!Array.isArray(reply)) throw new Error(String(reply));
      const ours: string[] = [];
      for (const range of geoSearchScoreRanges(shape)) {
        for (const point of byScore) {
          if (point.score < range.min || point.score >= range.max) continue;
          const hit = geoWithinShape(shape, point.score);
          if (hit !== null) ours.push(`${point.member} ${formatFixedPoint(hit.distance / conversion, 4)}`);
        }
      }
      const theirs = reply.map((item) => (Array.isArray(item) ? item.join(' ') : String(item)));
      expect(ours, `${JSON.stringify(shape)}`).toEqual(theirs);
    }
  });
});
