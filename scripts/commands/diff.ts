/**
 * @module `routes diff FILE|DIR|-`: what publishing these manifests would change in the live table: routes
 * added, removed and changed (path, backends and weights, endpoints, policies).
 */
import { compileInputs } from "../lib/compile-inputs.ts";
import { defineCommand } from "../lib/define-command.ts";
import { readLiveState, readTable } from "../lib/live-table.ts";
import {
  COMPILE_OPTIONS,
  KV_OPTIONS,
  OUTPUT_OPTIONS,
  TARGET_OPTIONS,
  ZONE_OPTIONS,
  kvTargetOf,
} from "../lib/options.ts";
import { planPublish } from "../lib/publish.ts";
import { formatBackends, formatClusters, formatPath } from "../lib/route-format.ts";
import { diffTables, routesOf, type TableDiff } from "../lib/table-diff.ts";
import type { CompiledRoute } from "../../worker/core/index.ts";

export const diff = defineCommand({
  name: "diff",
  summary: "Show what pushing the manifests would change in the live table",
  usage: "FILE|DIR|- ... | NAME=PATH ... [options]",
  description: `
Compiles the manifests like push and compares the admitted routes with the live table (routes:current), route
by route: added (+), removed (-) and changed (~, one line per change, e.g. "shop/web: web-blue 90→50,
web-green 10→50"). Writes nothing. Exit 1 when the manifests have errors (push would refuse them).`,
  options: { ...TARGET_OPTIONS, ...KV_OPTIONS, ...COMPILE_OPTIONS, ...ZONE_OPTIONS, ...OUTPUT_OPTIONS },
  examples: [
    "npm run routes -- diff routes-config/",
    "oc get routes,services -n shop -o yaml | npm run routes -- diff --remote -",
    "npm run routes -- diff east=east.yaml west=west.yaml",
  ],
  async run(context) {
    const { args, io, out } = context;
    const target = await kvTargetOf(args, io.cwd);
    // Opened before compiling: the local namespace starts while the manifests are read and compiled.
    const kv = io.openKv(target);
    const { result, counts, diagnostics } = await compileInputs(args.positionals, context);
    const { pointer } = await readLiveState(kv);
    const live = pointer === null ? null : await readTable(kv, pointer);
    const changes = diffTables(
      { routes: live === null ? [] : routesOf(live.shards), index: live?.index ?? null },
      { routes: result.admitted, index: result.table.index },
    );
    const version = planPublish(result.table).version;
    const same = pointer?.version === version;
    out.result({ live: pointer, version, unchanged: same, ...changes, counts, diagnostics }, () => {
      const header =
        pointer === null
          ? `nothing is published yet in ${kv.description}; every route is new\n`
          : `against live version ${pointer.version} (published ${pointer.publishedAt} by ${pointer.publishedBy})\n`;
      return (
        header + (same ? `no changes: the manifests compile to the live version ${version}\n` : formatDiff(changes))
      );
    });
    return counts.error > 0 ? 1 : 0;
  },
});

/** The text form: one section per kind of change; `~ id: change` lines for changed routes. */
export function formatDiff(changes: TableDiff): string {
  const describe = (route: CompiledRoute): string => {
    const clusters = formatClusters(route);
    return `${route.id}  ${route.host} ${formatPath(route)}  → ${formatBackends(route.backends)}${clusters === "" ? "" : `  in ${clusters}`}`;
  };
  const sections: string[] = [];
  if (changes.table.length > 0)
    sections.push(`Table:\n${changes.table.map((change) => `  ~ ${change.text}\n`).join("")}`);
  if (changes.added.length > 0)
    sections.push(
      `Added (${changes.added.length}):\n${changes.added.map((route) => `  + ${describe(route)}\n`).join("")}`,
    );
  if (changes.removed.length > 0) {
    sections.push(
      `Removed (${changes.removed.length}):\n${changes.removed.map((route) => `  - ${describe(route)}\n`).join("")}`,
    );
  }
  if (changes.changed.length > 0) {
    const lines = changes.changed.flatMap((route) =>
      route.changes.map((change) => `  ~ ${route.id}: ${change.text}\n`),
    );
    sections.push(`Changed (${changes.changed.length}):\n${lines.join("")}`);
  }
  return sections.length === 0 ? "no route changes\n" : sections.join("");
}
