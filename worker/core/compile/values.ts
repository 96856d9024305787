/**
 * @module Narrowing of parsed manifest values (`unknown`, from YAML) without trusting their shape.
 */

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The record at `value`, or an empty record when absent or not a mapping. */
export function recordOf(value: unknown): Json {
  return isRecord(value) ? value : {};
}

/** The array at `value`, or an empty array when absent or not a sequence. */
export function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A string field, `undefined` when absent or not a string. */
export function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Longest value text a message quotes. */
const SHOW_LIMIT = 120;

/** How a value is shown inside a message: JSON, so quotes and whitespace are visible; long values are cut. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // A cyclic or otherwise unprintable value (YAML aliases can build one) must not break the report.
    text = Array.isArray(value) ? "[…]" : typeof value === "object" ? "{…}" : typeof value;
  }
  return text.length > SHOW_LIMIT ? `${text.slice(0, SHOW_LIMIT)}…` : text;
}

/** Go `strconv.ParseBool`: what the router accepts for boolean annotations. `undefined` for anything else. */
export function parseGoBool(text: string): boolean | undefined {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(text)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(text)) return false;
  return undefined;
}

/** Go `strconv.Atoi`-like decimal integer (optional sign, digits only); `undefined` otherwise. */
export function parseGoInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `record[key]` when `key` is the record's own (never an inherited `constructor` or `__proto__`). */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
