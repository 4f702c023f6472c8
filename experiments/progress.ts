/** Progress on stderr: a redrawn bar on a terminal, plain lines otherwise (logs, CI, pipes). */
export interface Progress {
  update(done: number, message: string): void;
  done(message: string): void;
}

export function createProgress(total: number, label: string, stream: NodeJS.WriteStream = process.stderr, plainEvery = Math.max(1, Math.round(total / 20))): Progress {
  const tty = Boolean(stream.isTTY);
  const t0 = performance.now();
  return {
    update(done, message) {
      const elapsed = (performance.now() - t0) / 1000;
      const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
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
