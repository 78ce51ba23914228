// The engine's byte-string convention, restated locally so this folder imports nothing outside it.

/** A byte string as a latin1 JS string: one char per byte, char codes 0..255. */
export type Bytes = string;
