/**
 * Output directories that never hold half of one run and half of another: a lock per output (one writer
 * at a time), directories staged in a temporary sibling and renamed into place whole, and the clean-up
 * of temporaries a killed process left behind.
 *
 * Names: the lock of `<out>` is `<out>.lock` (holding the writer's pid); a staged directory is
 * `<out>.<pid>.tmp`, the one it replaces `<out>.<pid>.old.tmp` while they swap; atomic file writes use
 * `<file>.<pid>.<n>.tmp` (io/files.ts). A temporary whose pid is no longer running is stale.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ensureDir } from './files.ts';

/** Whether a process with this pid is running (a process we may not signal counts as running). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const TEMP = /\.(\d+)\.(?:\d+\.|old\.)?tmp$/;

/**
 * Remove the temporaries in `folder` that belong to dead processes, files and staged directories alike;
 * with `prefix`, only those whose name starts with it. Returns the paths removed.
 */
export function removeStaleTemps(folder: string, prefix = ''): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return [];
  const removed: string[] = [];
  for (const name of readdirSync(folder)) {
    const m = TEMP.exec(name);
    if (!m || !name.startsWith(prefix) || isProcessAlive(Number(m[1]))) continue;
    rmSync(join(folder, name), { recursive: true, force: true });
    removed.push(join(folder, name));
  }
  return removed;
}

/**
 * Take the lock of output `out` for this process, or throw naming the process that holds it. A lock
 * left by a process that is no longer running is taken over. Returns the function that releases it
 * (also called when the process exits).
 */
export function lockOutput(out: string): () => void {
  const path = `${resolve(out)}.lock`;
  ensureDir(dirname(path));
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new Error(`cannot write ${out}: creating its lock ${path} failed (${code ?? (err as Error).message})`, { cause: err });
      if (attempt > 2) throw err;
      let holder: number;
      try {
        holder = Number(readFileSync(path, 'utf8').trim());
      } catch {
        continue; // released meanwhile
      }
      if (isProcessAlive(holder) && holder !== process.pid) {
        throw new Error(`${out} is being written by another reach process (pid ${holder}; lock ${path}); wait for it to finish, or choose another --out`, { cause: err });
      }
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    break;
  }
  const release = () => {
    process.removeListener('exit', release);
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return release;
}

/** Run `work` holding the lock of `out`. */
export async function withOutputLock<T>(out: string, work: () => T | Promise<T>): Promise<T> {
  const release = lockOutput(out);
  try {
    return await work();
  } finally {
    release();
  }
}

/** Whether `dir` exists and holds anything. */
export function isNonEmptyDir(dir: string): boolean {
  return existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0);
}

/** A directory being written in a temporary sibling of its final place. */
export interface StagedDir {
  /** Where to write now. */
  tmp: string;
  /** Where it will be. */
  out: string;
  /** Move it into place, replacing whatever was at `out`. */
  commit(): void;
  /** Throw it away. */
  abandon(): void;
}

/**
 * Stage directory `out`: write into `tmp`, then `commit()` renames it into place (an earlier directory
 * is replaced whole). An existing non-empty `out` is refused unless `force`; stale temporaries of `out`
 * are removed first. Call it holding the lock of `out`.
 */
export function stageDir(out: string, opts: { force?: boolean; what?: string } = {}): StagedDir {
  const abs = resolve(out);
  const parent = dirname(abs);
  ensureDir(parent);
  removeStaleTemps(parent, `${basename(abs)}.`);
  if (existsSync(abs) && !statSync(abs).isDirectory()) throw new Error(`${out} is a file, not a directory`);
  if (isNonEmptyDir(abs) && !opts.force) {
    throw new Error(`${out} already holds files (${readdirSync(abs).slice(0, 3).join(', ')}${readdirSync(abs).length > 3 ? ', …' : ''}); pass --force to replace it whole with the new ${opts.what ?? 'output'}, or choose another --out`);
  }
  const tmp = `${abs}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  ensureDir(tmp);
  return {
    tmp,
    out: abs,
    commit() {
      const old = `${abs}.${process.pid}.old.tmp`;
      if (existsSync(abs)) renameSync(abs, old);
      renameSync(tmp, abs);
      rmSync(old, { recursive: true, force: true });
    },
    abandon() {
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Move every entry of directory `from` into directory `into`, each by one rename that replaces the entry
 * of that name (a directory is swapped whole through a `<name>.<pid>.old.tmp` sibling), then remove
 * `from`. For outputs that live inside a directory holding other things (an analysis in its run
 * directory): staged in full, then moved in within a few renames.
 */
export function moveEntriesInto(from: string, into: string): void {
  for (const name of readdirSync(from)) {
    const target = join(into, name);
    if (existsSync(target) && statSync(target).isDirectory()) {
      const old = `${target}.${process.pid}.old.tmp`;
      renameSync(target, old);
      renameSync(join(from, name), target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(join(from, name), target);
    }
  }
  rmSync(from, { recursive: true, force: true });
}
