/** Progress on stderr: a redrawn bar on a terminal, plain lines otherwise (logs, CI, pipes). */
export interface Progress {
  update(done: number, message: string): void;
  done(message: string): void;
}

export interface ProgressOptions {
  /** Count already done when the clock starts (a resumed training's first iteration); the time left is paced on what is done after it. Default 0. */
  from?: number;
  /** Where to write. Default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Off a terminal, write a line every this many counts. Default total / 20. */
  plainEvery?: number;
}

export function createProgress(total: number, label: string, options: ProgressOptions = {}): Progress {
  const { from = 0, stream = process.stderr, plainEvery = Math.max(1, Math.round(total / 20)) } = options;
  const tty = Boolean(stream.isTTY);
  const t0 = performance.now();
  return {
    update(done, message) {
      const elapsed = (performance.now() - t0) / 1000;
      const eta = done > from ? (elapsed / (done - from)) * (total - done) : NaN;
      const timing = `${elapsed.toFixed(0)}s elapsed${Number.isFinite(eta) ? `, ~${eta.toFixed(0)}s left` : ''}`;
      if (tty) {
        const width = 24;
        const fill = Math.round((width * done) / total);
        stream.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${message} (${timing})\x1b[K`);
      } else if (done % plainEvery === 0 || done === total) {
        stream.write(`${label} ${done}/${total} ${message} (${timing})\n`);
      }
    },
    done(message) {
      if (tty) stream.write('\n');
      stream.write(`${label}: ${message}\n`);
    },
  };
}
