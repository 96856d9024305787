/**
 * @module `routes rollback [--to VERSION]`: point `routes:current` back at the previous version in the history
 * (or the named one) after checking its index is still in KV. Nothing is recompiled.
 */
import { stringOption } from "../lib/args.ts";
import { plural } from "../lib/output.ts";
import { defineCommand } from "../lib/define-command.ts";
import { UserError } from "../lib/errors.ts";
import { KV_OPTIONS, OUTPUT_OPTIONS, TARGET_OPTIONS, kvTargetOf } from "../lib/options.ts";
import { DEFAULT_KEEP, MIN_KEEP, rollback as rollBack } from "../lib/publish.ts";
import { describeOutcome, keepOf, publishMeta } from "../lib/publish-report.ts";

export const rollback = defineCommand({
  name: "rollback",
  summary: "Point routes:current back at the previous (or a named) version",
  usage: "[--to VERSION] [options]",
  description: `
Flips routes:current to the newest version in routes:history that is not live, or to --to VERSION (a version id
or a unique prefix of one, as status prints them). The restored version becomes the newest history entry, so
a second rollback returns to where the first started. Versions are immutable, so no table is rewritten.`,
  options: {
    to: { type: "string", value: "VERSION", description: "The version to restore (default: the previous one)" },
    keep: {
      type: "string",
      value: "N",
      description: `Versions kept for rollback, at least ${MIN_KEEP} (default ${DEFAULT_KEEP})`,
    },
    ...TARGET_OPTIONS,
    ...KV_OPTIONS,
    ...OUTPUT_OPTIONS,
  },
  examples: [
    "npm run routes -- rollback",
    "npm run routes -- rollback --to 3f2a9c1e",
    "npm run routes -- rollback --remote",
  ],
  async run({ args, io, out }) {
    if (args.positionals.length > 0)
      throw new UserError(`rollback takes no arguments (got ${args.positionals.join(" ")}); use --to VERSION`);
    const keep = keepOf(args);
    const kv = io.openKv(await kvTargetOf(args, io.cwd));
    const outcome = await rollBack(kv, stringOption(args, "to"), publishMeta(io, keep));
    for (const call of kv.calls) out.debugLine(`${call.command}: ${(call.ms / 1000).toFixed(2)} s`);
    if (outcome.kind === "published" && outcome.retireError !== undefined) {
      out.progress(`warning: rolled back, but deleting retired versions failed: ${outcome.retireError}`);
    }
    out.result(
      { rolledBack: outcome.kind === "published", ...outcome, wranglerCalls: kv.calls.length },
      () => `${describeOutcome(outcome, "rollback")}(${plural(kv.calls.length, "wrangler call")})\n`,
    );
    return 0;
  },
});
