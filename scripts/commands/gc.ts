/**
 * @module `routes gc [--keep N] [--dry-run]`: trim routes:history to N versions and delete every table key
 * (`routes:table:…`, `routes:shard:…`) that no kept version uses (lib/publish.ts `collectGarbage`). A push already
 * deletes what the versions it retires used; gc also clears keys an interrupted push or a failed deletion left.
 */
import { flag } from "../lib/args.ts";
import { defineCommand } from "../lib/define-command.ts";
import { UserError } from "../lib/errors.ts";
import { KV_OPTIONS, OUTPUT_OPTIONS, TARGET_OPTIONS, kvTargetOf } from "../lib/options.ts";
import { plural } from "../lib/output.ts";
import { collectGarbage, DEFAULT_KEEP, MIN_KEEP } from "../lib/publish.ts";
import { keepOf } from "../lib/publish-report.ts";

/** The text form lists this many deleted keys; --output json lists them all. */
const KEYS_SHOWN = 10;

export const gc = defineCommand({
  name: "gc",
  summary: "Delete the table keys no kept version uses (and trim the history to --keep)",
  usage: "[--keep N] [--dry-run] [options]",
  description: `
Keeps the live version and the newest --keep versions of routes:history (trimming the history to them), and
deletes every routes:table:… and routes:shard:… key that none of them uses: versions that fell out of the history,
and keys an interrupted push or a failed deletion left behind. Shards shared by kept versions are never deleted,
so rollback to any kept version keeps working. Run it when no push is under way (a push writes its shards before
its pointer names them).`,
  options: {
    keep: {
      type: "string",
      value: "N",
      description: `Versions kept for rollback, at least ${MIN_KEEP} (default ${DEFAULT_KEEP})`,
    },
    "dry-run": { type: "boolean", description: "Show what would be deleted; delete nothing" },
    ...TARGET_OPTIONS,
    ...KV_OPTIONS,
    ...OUTPUT_OPTIONS,
  },
  examples: ["npm run routes -- gc", "npm run routes -- gc --keep 2 --dry-run", "npm run routes -- gc --remote"],
  async run({ args, io, out }) {
    if (args.positionals.length > 0) throw new UserError(`gc takes no arguments (got ${args.positionals.join(" ")})`);
    const keep = keepOf(args);
    const dryRun = flag(args, "dry-run");
    const kv = io.openKv(await kvTargetOf(args, io.cwd));
    const outcome = await collectGarbage(kv, keep, dryRun);
    for (const call of kv.calls) out.debugLine(`${call.command}: ${(call.ms / 1000).toFixed(2)} s`);
    out.result({ dryRun, ...outcome }, () =>
      [
        `${dryRun ? "dry run: would keep" : "kept"} ${plural(outcome.kept.length, "version")} `,
        `(${outcome.kept.map((entry) => entry.version).join(", ")}) and ${plural(outcome.keptKeys, "table key")}\n`,
        outcome.retired.length > 0
          ? `${dryRun ? "would drop" : "dropped"} from the history: ${outcome.retired.map((entry) => entry.version).join(", ")}\n`
          : "",
        `${dryRun ? "would delete" : "deleted"} ${plural(outcome.garbage.length, "key")} no kept version uses\n`,
        ...outcome.garbage.slice(0, KEYS_SHOWN).map((key) => `  ${key}\n`),
        outcome.garbage.length > KEYS_SHOWN
          ? `  … and ${outcome.garbage.length - KEYS_SHOWN} more (--output json lists them all)\n`
          : "",
      ].join(""),
    );
    return 0;
  },
});
