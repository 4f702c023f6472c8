/**
 * Durations are given in seconds and run in control steps: one dt per run, and every duration a whole
 * number of steps of it (a 25 ms delay cannot run at dt = 10 ms; it is refused rather than rounded).
 */

/** `seconds` as a whole number of control steps of `dt` (s); throws, naming `what`, when it is not one. */
export function wholeSteps(seconds: number, dt: number, what: string): number {
  if (!(dt > 0)) throw new Error(`${what}: the control step dt must be a positive number of seconds, got ${dt}`);
  const k = Math.round(seconds / dt);
  if (!(Math.abs(k * dt - seconds) <= 1e-9 * Math.max(1, Math.abs(seconds)))) {
    throw new Error(`${what} = ${seconds} s is not a whole number of control steps of dt = ${dt} s`);
  }
  return k;
}
