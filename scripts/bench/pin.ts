/**
 * @module Core pinning (docs/design-notes.md#bench): the system under test gets core 1 to itself; the load
 * generator, the backend and this script share core 0. On a 1-core machine, or without taskset, nothing is
 * pinned and the report says so.
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export const CAN_PIN = cpus().length >= 2 && hasTaskset();
/** Core of the system under test, and of everything else. */
export const SUT_CORE = 1;
export const LOAD_CORE = 0;

/** `command args` wrapped in `taskset -c <core>` when pinning is possible. */
export function pinned(core: number, command: string, args: string[]): [string, string[]] {
  return CAN_PIN ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];
}

/** Moves every thread of a running process (and, through inheritance, its future children) to `core`. */
export function pinProcess(pid: number, core: number): void {
  if (CAN_PIN) execFileSync("taskset", ["-a", "-p", "-c", String(core), String(pid)], { stdio: "ignore" });
}
