/**
 * The union of every value the keyspace holds, and the names Redis gives their types.
 * Each type's representation and its encoding rules live in its own module.
 */
import { MutableString, type StringValue } from './string.js';
import type { ListValue } from './list.js';
import type { HashValue } from './hash.js';
import type { SetValue } from './set.js';
import type { ZSetValue } from './zset.js';
import type { StreamValue } from './stream.js';

export type RedisValue = StringValue | ListValue | HashValue | SetValue | ZSetValue | StreamValue;
export type TypeName = 'string' | 'list' | 'hash' | 'set' | 'zset' | 'stream';

export function typeName(v: RedisValue): TypeName {
  return typeof v === 'string' ? 'string' : v.kind;
}

export function isString(v: RedisValue): v is StringValue {
  return typeof v === 'string' || v instanceof MutableString;
}
