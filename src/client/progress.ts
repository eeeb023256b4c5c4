import cliProgress from "cli-progress";

export interface ProgressReporter {
  update(stage: string, done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; on a pipe or in CI, one line per stage at each 25% step so
 * logs stay readable.
 */
export function createProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: " {stage} [{bar}] {percentage}% | {value}/{total}", hideCursor: true, stream, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    let current: string | undefined;
    return {
      update(stage, done, total) {
        if (stage !== current) {
          if (current !== undefined) bar.stop();
          current = stage;
          bar.start(total, done, { stage: stage.padEnd(10) });
        } else {
          bar.setTotal(total);
          bar.update(done, { stage: stage.padEnd(10) });
        }
      },
      stop() {
        if (current !== undefined) bar.stop();
        current = undefined;
      },
    };
  }
  const reported = new Map<string, number>();
  return {
    update(stage, done, total) {
      const step = total === 0 ? 4 : Math.floor((done / total) * 4);
      if ((reported.get(stage) ?? -1) >= step) return;
      reported.set(stage, step);
      stream.write(`${stage}: ${done}/${total} (${step * 25}%)\n`);
    },
    stop() {},
  };
}
