// Node's Buffer has fast latin1 slice/write methods that @types/node does not declare. They are the cheapest
// way between bytes and the one-byte strings the engine keeps (see SPEC.md, "Byte strings").
declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    latin1Write(s: string, offset?: number, length?: number): number;
  }
}
export {};
