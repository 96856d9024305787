/**
 * @module What the measuring child processes share (`node --expose-gc …`): the step a child is in, printed to
 * stderr as `phase: …` and named in its failure line so the parent can say where it failed, and the heap after a
 * full collection.
 */
declare const gc: () => void;

let current = "start";

export function enter(next: string): void {
  current = next;
  process.stderr.write(`phase: ${next}\n`);
}

/** The step the child is in now. */
export function currentPhase(): string {
  return current;
}

/** `heapUsed` after four full collections (one can leave garbage that a finaliser frees for the next). */
export function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}
