/**
 * @module The environment a result was measured in (docs/design-notes.md#bench): numbers from a shared
 * 2-core VM mean little without it.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";

export const REPO_ROOT = new URL("../../", import.meta.url).pathname;

export interface Machine {
  cpuModel: string;
  nproc: number;
  kernel: string;
  node: string;
  workerd: string;
  wrangler: string;
  haproxy: string;
  wrk: string;
  /** CPU frequency governor, when the kernel exposes one. */
  governor: string;
  /** Share of CPU time stolen by the hypervisor since boot, from /proc/stat. */
  stealPercent: number;
  /** 1-minute load average when the run started: other work on the machine makes every number noisier. */
  loadAverage: number;
}

/** Version of a package installed in the repository's node_modules (read from its package.json). */
export function installedVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(`${REPO_ROOT}node_modules/${name}/package.json`, "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "not installed";
  }
}

function firstLine(command: string, args: string[]): string {
  try {
    const out = execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
    return out.split("\n")[0]?.trim() || "unknown";
  } catch (error) {
    // Some tools (wrk -v) print their version and exit non-zero; a missing tool has neither output.
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    return `${stdout}${stderr}`.split("\n")[0]?.trim() || "not installed";
  }
}

/** /proc/stat "cpu" line: steal / total. */
export function stealPercent(): number {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return total > 0 ? ((fields[7] ?? 0) / total) * 100 : 0;
  } catch {
    return Number.NaN;
  }
}

export function describeMachine(): Machine {
  let governor = "not exposed";
  try {
    governor = readFileSync("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "utf8").trim();
  } catch {
    // VMs often have no cpufreq.
  }
  return {
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    nproc: cpus().length,
    kernel: release(),
    node: process.version,
    workerd: firstLine(`${REPO_ROOT}node_modules/.bin/workerd`, ["--version"]),
    wrangler: installedVersion("wrangler"),
    haproxy: firstLine("haproxy", ["-v"]),
    wrk: firstLine("wrk", ["-v"]),
    governor,
    stealPercent: stealPercent(),
    loadAverage: loadavg()[0] ?? 0,
  };
}
