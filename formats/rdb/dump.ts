// DUMP / RESTORE payloads (redis src/cluster.c createDumpPayload / verifyDumpPayload):
//
//   <type byte> <value as in an RDB> <RDB version: u16 LE> <CRC64 of all before: 8 bytes LE>
//
// No magic: the version alone picks the dialect (Valkey numbers from 80). The checksum is always
// verified (a DUMP payload has no "checksum disabled" form); the version check is the caller's
// choice (Redis refuses versions newer than its own RDB_VERSION).

import { crc64, crc64Equal, crc64ReadLE, crc64WriteLE } from '../crc64.js';
import { RdbError } from '../errors.js';
import * as C from './constants.js';
import { RdbDecoder, STRING_BYTES_MAX_DEFAULT, encodingOfRdbType } from './decoder.js';
import { planValue, writeValue } from './encode-value.js';
import { RdbOutput } from './output.js';
import type { RdbEncodingHint, RdbModuleInfo, RdbValue } from './types.js';
import type { RdbWriteWarning } from './writer.js';

const FOOTER_BYTES = 10;

export interface DumpEncodeOptions {
  /** RDB version of the value encoding and the footer (9..12, default 10 as Redis 7.0). */
  version?: number;
  /** OBJECT ENCODING of the value, to pick the same compact type Redis would. */
  encoding?: RdbEncodingHint;
  /** rdbcompression (default true). */
  compression?: boolean;
}

export function encodeDump(value: RdbValue, options: DumpEncodeOptions = {}): { payload: Buffer; warnings: RdbWriteWarning[] } {
  const version = options.version ?? 10;
  if (version < 9 || version > 12) throw new RdbError('UNSUPPORTED_VERSION', -1, `DUMP encoding targets RDB 9..12, not ${version}`);
  const chunks: Uint8Array[] = [];
  const out = new RdbOutput({ write: (c) => chunks.push(c) }, { compression: options.compression ?? true, checksum: false });
  const plan = planValue(value, options.encoding, version);
  out.u8(plan.type);
  writeValue(out, value, plan.type);
  out.flush();
  const body = Buffer.concat(chunks);
  const payload = Buffer.allocUnsafe(body.length + FOOTER_BYTES);
  body.copy(payload, 0);
  payload.writeUInt16LE(version, body.length);
  crc64WriteLE(crc64(0n, payload, 0, body.length + 2), payload, body.length + 2);
  return { payload, warnings: plan.warnings.map((w) => ({ code: w.code, message: w.message })) };
}

export interface DumpDecodeOptions {
  /** Highest RDB version accepted (RESTORE's "payload version or checksum are wrong"). */
  versionMax?: number;
  /** Largest string accepted inside the value (default 512 MiB). */
  stringBytesMax?: number;
}

export interface DecodedDump {
  version: number;
  rdbType: number;
  value: RdbValue | RdbModuleInfo;
  encoding?: RdbEncodingHint;
}

/**
 * Decodes a DUMP payload. Throws RdbError BAD_DUMP when the footer is missing, the version is
 * refused or the checksum is wrong; value errors as in RDB reading; TRAILING_DATA when bytes
 * remain between the value and the footer.
 */
export function decodeDump(payload: Uint8Array, options: DumpDecodeOptions = {}): DecodedDump {
  const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  if (buf.length < FOOTER_BYTES + 1) throw new RdbError('BAD_DUMP', 0, 'DUMP payload shorter than its footer');
  const footerAt = buf.length - FOOTER_BYTES;
  const version = buf.readUInt16LE(footerAt);
  const versionMax = options.versionMax ?? C.REDIS_RDB_VERSION_MAX;
  const valkey = version >= C.VALKEY_RDB_VERSION_MIN && version <= C.VALKEY_RDB_VERSION_MAX;
  if (version < 1 || (version > versionMax && !(valkey && versionMax >= version))) {
    throw new RdbError('BAD_DUMP', footerAt, `DUMP payload RDB version ${version} is not accepted (max ${versionMax})`);
  }
  if (!valkey && version > C.REDIS_RDB_VERSION_MAX) throw new RdbError('BAD_DUMP', footerAt, `unknown DUMP payload RDB version ${version}`);
  const stored = crc64ReadLE(buf, footerAt + 2);
  if (!crc64Equal(crc64(0n, buf, 0, footerAt + 2), stored)) throw new RdbError('BAD_DUMP', footerAt + 2, 'DUMP payload checksum is wrong');
  const d = new RdbDecoder({ stringBytesMax: options.stringBytesMax ?? STRING_BYTES_MAX_DEFAULT, totalBytes: footerAt });
  d.dialect = { magic: valkey ? 'VALKEY' : 'REDIS', version, valkey };
  d.setWindow(buf, 0, footerAt, 0, true);
  const rdbType = d.u8();
  if (!C.isObjectType(d.dialect, rdbType)) throw d.fail('UNKNOWN_OPCODE', `unknown value type ${rdbType} in DUMP payload`, 0);
  const value = d.value(rdbType);
  if (d.pos !== footerAt) throw d.fail('TRAILING_DATA', `${footerAt - d.pos} byte(s) between the value and the footer`);
  const decoded: DecodedDump = { version, rdbType, value };
  const encoding = encodingOfRdbType(rdbType, d.dialect);
  if (encoding !== undefined) decoded.encoding = encoding;
  return decoded;
}
