/**
 * @module `npm run bench:profile [-- --baseline main] [-- --seconds 5 --rounds 3 --routes 1000 --interval 100]`:
 * the benchmark's `profile` section on its own (scripts/bench/phase-profile.ts), optionally with the gateway of
 * another git ref beside this checkout's. Prints the table and writes it to bench-out/profile/profile.md, with
 * profile.json and one .cpuprofile per Worker (open it in Chrome DevTools).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./machine.ts";
import { profileLines, runProfile } from "./phase-profile.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    routes: { type: "string", default: "1000" },
    interval: { type: "string", default: "100" },
    baseline: { type: "string" },
  },
});
const workDir = join(REPO_ROOT, "bench-out", "profile");
const outcome = await runProfile({
  seconds: Number(values.seconds),
  rounds: Number(values.rounds),
  routes: Number(values.routes),
  intervalUs: Number(values.interval),
  ...(values.baseline === undefined ? {} : { baseline: values.baseline }),
  workDir,
  log: (line) => void process.stdout.write(`${line}\n`),
});
const text = `${profileLines(outcome).join("\n")}\n`;
writeFileSync(join(workDir, "profile.md"), text);
writeFileSync(join(workDir, "profile.json"), JSON.stringify(outcome, null, 1));
process.stdout.write(`${text}\nwrote ${join(workDir, "profile.md")} (and a .cpuprofile per Worker for DevTools)\n`);
if (!outcome.ok) process.exitCode = 1;
