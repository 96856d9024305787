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

/**
 * The content hash of published table texts (shard hashes in the index and pointer, the version id): the first 16
 * hex digits (64 bits) of the SHA-256 digest of the UTF-8 text. The CLI (node:crypto) and the Worker (WebCrypto,
 * when it checks a shard it read) compute the digest; both format it here, so they cannot disagree.
 * @example contentHashOf(sha256("")) === "e3b0c44298fc1c14"
 */
export function contentHashOf(sha256Digest: ArrayBuffer | Uint8Array): string {
  const bytes = sha256Digest instanceof Uint8Array ? sha256Digest : new Uint8Array(sha256Digest);
  let hex = "";
  for (let i = 0; i < 8; i++) hex += (bytes[i] as number).toString(16).padStart(2, "0");
  return hex;
}
