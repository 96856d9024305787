/**
 * @module Parses the field paths diagnostics use (`spec.to.weight`, `spec.rules[0].http.paths[1].path`,
 * `metadata.annotations["haproxy.router.openshift.io/timeout"]`) into segments, so a reader can find their line.
 */

/** Map keys are strings, sequence indexes numbers. `null` when `path` is not in the diagnostic syntax. */
export function parseFieldPath(path: string): (string | number)[] | null {
  const segments: (string | number)[] = [];
  // name | [index] | ["quoted key"], names separated by dots.
  const token = /\.?([A-Za-z0-9_$-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let at = 0;
  while (at < path.length) {
    token.lastIndex = at;
    const found = token.exec(path);
    if (found === null || (found[1] !== undefined && at > 0 && !found[0].startsWith("."))) return null;
    if (found[1] !== undefined) segments.push(found[1]);
    else if (found[2] !== undefined) segments.push(Number(found[2]));
    else segments.push(JSON.parse(found[3] as string) as string);
    at = token.lastIndex;
  }
  return segments;
}
