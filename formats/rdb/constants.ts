// RDB wire constants (redis src/rdb.h, valkey src/rdb.h) and the per-dialect type tables.
// Redis and Valkey agree on types 0..21 and opcodes 244..255; they disagree above that (type 22,
// opcode 243), so the reader picks the table from the magic AND the version.
//
// Length encoding (first byte, two high bits):
//   00xxxxxx                      6-bit length
//   01xxxxxx xxxxxxxx             14-bit length (big endian)
//   10000000 <u32 BE>             32-bit length
//   10000001 <u64 BE>             64-bit length
//   11xxxxxx                      special string encoding in the low 6 bits:
//                                 0 int8, 1 int16 LE, 2 int32 LE, 3 LZF <clen> <len> <data>

export const RDB_6BITLEN = 0;
export const RDB_14BITLEN = 1;
export const RDB_32BITLEN = 0x80;
export const RDB_64BITLEN = 0x81;
export const RDB_ENCVAL = 3;

export const RDB_ENC_INT8 = 0;
export const RDB_ENC_INT16 = 1;
export const RDB_ENC_INT32 = 2;
export const RDB_ENC_LZF = 3;

export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE_PRE_GA = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
export const RDB_TYPE_SET_LISTPACK = 20;
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;
// Redis only (7.4+):
export const RDB_TYPE_HASH_METADATA_PRE_GA = 22;
export const RDB_TYPE_HASH_LISTPACK_EX_PRE_GA = 23;
export const RDB_TYPE_HASH_METADATA = 24;
export const RDB_TYPE_HASH_LISTPACK_EX = 25;
// Redis 8.6+ (RDB 13/14). Not read in Redis source: layout from third-party readers, see
// formats/rdb/README in the module header of read-stream.ts.
export const RDB_TYPE_STREAM_LISTPACKS_4 = 26;
export const RDB_TYPE_STREAM_LISTPACKS_5 = 27;
// Valkey only (RDB 80+):
export const VALKEY_RDB_TYPE_HASH_2 = 22;

export const RDB_OPCODE_KEY_META = 243; // Redis 13+: module key metadata before a key
export const VALKEY_RDB_OPCODE_SLOT_IMPORT = 243; // Valkey 80+: atomic slot migration job
export const RDB_OPCODE_SLOT_INFO = 244;
export const RDB_OPCODE_FUNCTION2 = 245;
export const RDB_OPCODE_FUNCTION_PRE_GA = 246;
export const RDB_OPCODE_MODULE_AUX = 247;
export const RDB_OPCODE_IDLE = 248;
export const RDB_OPCODE_FREQ = 249;
export const RDB_OPCODE_AUX = 250;
export const RDB_OPCODE_RESIZEDB = 251;
export const RDB_OPCODE_EXPIRETIME_MS = 252;
export const RDB_OPCODE_EXPIRETIME = 253;
export const RDB_OPCODE_SELECTDB = 254;
export const RDB_OPCODE_EOF = 255;

export const RDB_MODULE_OPCODE_EOF = 0;
export const RDB_MODULE_OPCODE_SINT = 1;
export const RDB_MODULE_OPCODE_UINT = 2;
export const RDB_MODULE_OPCODE_FLOAT = 3;
export const RDB_MODULE_OPCODE_DOUBLE = 4;
export const RDB_MODULE_OPCODE_STRING = 5;

export const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
export const QUICKLIST_NODE_CONTAINER_PACKED = 2;

/** Highest Redis RDB version whose format we read (13/14 partially: see read-stream.ts). */
export const REDIS_RDB_VERSION_MAX = 14;
/** Valkey's own numbering starts at 80 (9.0); 12..79 are "foreign" (Redis) versions. */
export const VALKEY_RDB_VERSION_MIN = 80;
export const VALKEY_RDB_VERSION_MAX = 81;

export type RdbMagic = 'REDIS' | 'VALKEY';

/** The dialect a file speaks: which type/opcode meanings apply. */
export interface RdbDialect {
  magic: RdbMagic;
  version: number;
  /** Valkey 9 numbering (type 22 = HASH_2, opcode 243 = SLOT_IMPORT). */
  valkey: boolean;
}

/**
 * Whether `type` is a value type in this dialect. Redis: 0..7, 9..21; 22..25 from version 12;
 * 26 from 13; 27 from 14. Valkey 80+: 0..7, 9..22.
 */
export function isObjectType(dialect: RdbDialect, type: number): boolean {
  if (type < 0 || type === 8) return false;
  if (type <= RDB_TYPE_STREAM_LISTPACKS_3) return true;
  if (dialect.valkey) return type === VALKEY_RDB_TYPE_HASH_2;
  if (type <= RDB_TYPE_HASH_LISTPACK_EX) return dialect.version >= 12;
  if (type === RDB_TYPE_STREAM_LISTPACKS_4) return dialect.version >= 13;
  if (type === RDB_TYPE_STREAM_LISTPACKS_5) return dialect.version >= 14;
  return false;
}

/** Redis's "when" values for module aux data. */
export const REDISMODULE_AUX_BEFORE_RDB = 1;
export const REDISMODULE_AUX_AFTER_RDB = 2;

/** Characters of a module type name, 6 bits each (redis src/module.c ModuleTypeNameCharSet). */
export const MODULE_NAME_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Splits a 64-bit module type id into its 9-char name and 10-bit encoding version. */
export function decodeModuleId(id: bigint): { name: string; encodingVersion: number } {
  const encodingVersion = Number(id & 1023n);
  let rest = id >> 10n;
  const chars: string[] = [];
  for (let i = 0; i < 9; i++) {
    chars.push(MODULE_NAME_CHARSET[Number(rest & 63n)] as string);
    rest >>= 6n;
  }
  return { name: chars.reverse().join(''), encodingVersion };
}
