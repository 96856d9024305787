/**
 * @module A small, fast, stable string hash (FNV-1a, 32-bit) for things that must agree between the CLI and the
 * Worker without crypto: shard placement, default cookie names, backend ids. Not for security.
 */

/** @example fnv1a("") === 0x811c9dc5 */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** `fnv1a` as 8 lowercase hex digits. @example fnv1aHex("a") === "e40c292c" */
export function fnv1aHex(text: string): string {
  return fnv1a(text).toString(16).padStart(8, "0");
}
