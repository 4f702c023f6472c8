/**
 * Spawning the `reach` CLI from tests: the one place that knows how the CLI is started, so that a
 * change of entry point (bin/reach.js, compiled or not) touches only this file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The executable and leading arguments that start `reach`. */
export const REACH_COMMAND: [string, ...string[]] = [process.execPath, fileURLToPath(new URL('../../bin/reach.js', import.meta.url))];

export interface ReachResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `reach ...args` to completion in `cwd`. */
export function reach(cwd: string, ...args: string[]): ReachResult {
  const [cmd, ...lead] = REACH_COMMAND;
  const r = spawnSync(cmd, [...lead, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start `reach ...args` in `cwd` without waiting (stdout and stderr piped). */
export function reachAsync(cwd: string, ...args: string[]): ChildProcess {
  const [cmd, ...lead] = REACH_COMMAND;
  return spawn(cmd, [...lead, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collect a child's stderr and wait for its exit code. */
export function finished(child: ChildProcess): Promise<ReachResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** Preloaded by `reachPeakMemory`: prints the process's peak resident set size on exit. */
const MAX_RSS_HOOK = `data:text/javascript,${encodeURIComponent("process.on('exit', () => process.stderr.write(`reach-max-rss ${process.resourceUsage().maxRSS * 1024}\\n`));")}`;

/**
 * Run `reach ...args` to completion in `cwd` and measure the peak resident memory of its process
 * (getrusage's ru_maxrss, in bytes), read from a line a preloaded hook prints on exit.
 */
export async function reachPeakMemory(cwd: string, ...args: string[]): Promise<ReachResult & { maxRss: number }> {
  const [cmd, ...lead] = REACH_COMMAND;
  const r = await finished(spawn(cmd, ['--import', MAX_RSS_HOOK, ...lead, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
  const m = /^reach-max-rss (\d+)$/m.exec(r.stderr);
  if (!m) throw new Error(`reach ${args.join(' ')} printed no peak memory (exit ${r.status}): ${r.stderr}`);
  return { ...r, maxRss: Number(m[1]) };
}
