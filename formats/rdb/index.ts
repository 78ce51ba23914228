// Public API of the RDB codec: streaming reader, writer, DUMP payloads, the decoded model.
export * from './types.js';
export * from './constants.js';
export * from './reader.js';
export { RdbDecoder, parseScore, encodingOfRdbType } from './decoder.js';
export { compareStreamId, STREAM_ITEM_FLAG_DELETED, STREAM_ITEM_FLAG_SAMEFIELDS } from './decode-stream.js';
export * from './writer.js';
export * from './dump.js';
export { RdbOutput, CHUNK_BYTES_DEFAULT } from './output.js';
export { planValue, scoreToBytes, type EncodeWarning } from './encode-value.js';
