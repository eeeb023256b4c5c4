export interface WriteBehindOptions<Key, Value> {
  /** Writes one batch, every pending entry at once; a throw puts the batch back. */
  write: (batch: Array<[Key, Value]>) => Promise<void>;
  /** Folds a value into the one already pending under its key (a count adds, a time keeps the later). */
  merge: (pending: Value, value: Value) => Value;
  /** How often the pending entries are written. */
  intervalMs: number;
  /** Told about a failed write, after its batch is back in the pending entries. */
  onError?: (error: unknown) => void;
}

/**
 * Values recorded in memory by key and written in batches off the request path: every `intervalMs`
 * and on flush() and close(), one write at a time. A failed batch is merged back into what was
 * recorded meanwhile and goes with the next write. The timer never keeps the process alive, so what a
 * crash loses is at most one interval's values.
 */
export class WriteBehind<Key, Value> {
  private readonly pending = new Map<Key, Value>();
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: WriteBehindOptions<Key, Value>) {
    this.timer = setInterval(() => {
      void this.flush().catch(() => {});
    }, options.intervalMs);
    this.timer.unref();
  }

  record(key: Key, value: Value): void {
    const pending = this.pending.get(key);
    this.pending.set(key, pending === undefined ? value : this.options.merge(pending, value));
  }

  /** Writes what is pending once the write in progress (if any) is done; rejects when that write fails. */
  flush(): Promise<void> {
    const run = this.writing.then(() => this.write());
    this.writing = run.catch(() => {});
    return run;
  }

  /** Stops the timer and writes what is pending (a failure is only reported through onError). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => {});
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    try {
      await this.options.write(batch);
    } catch (error) {
      for (const [key, value] of batch) this.record(key, value);
      this.options.onError?.(error);
      throw error;
    }
  }
}
