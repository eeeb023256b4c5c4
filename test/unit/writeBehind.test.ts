import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WriteBehind } from "../../src/policy/writeBehind";

type Batch = Array<[string, number]>;

/** A write-behind of counts whose writes are recorded, and fail or hang when told to. */
function counter(intervalMs = 1_000) {
  const writes: Batch[] = [];
  const errors: unknown[] = [];
  let failNext = false;
  let hold: Promise<void> | undefined;
  let active = 0;
  let mostActive = 0;
  const counts = new WriteBehind<string, number>({
    intervalMs,
    merge: (pending, count) => pending + count,
    onError: (error) => errors.push(error),
    write: async (batch) => {
      active++;
      mostActive = Math.max(mostActive, active);
      try {
        await hold;
        if (failNext) {
          failNext = false;
          throw new Error("database away");
        }
        writes.push(batch);
      } finally {
        active--;
      }
    },
  });
  return {
    counts,
    writes,
    errors,
    failNextWrite: () => {
      failNext = true;
    },
    holdWrites: () => {
      let release = () => {};
      hold = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        hold = undefined;
        release();
      };
    },
    mostActive: () => mostActive,
  };
}

describe("WriteBehind", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes what was recorded once per interval, merged by key, and nothing when nothing is pending", async () => {
    const { counts, writes } = counter(1_000);
    counts.record("a", 1);
    counts.record("b", 2);
    counts.record("a", 3);
    await vi.advanceTimersByTimeAsync(999);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([
      [
        ["a", 4],
        ["b", 2],
      ],
    ]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(writes).toHaveLength(1);
    await counts.close();
  });

  it("writes at once on flush(), without waiting for the interval", async () => {
    const { counts, writes } = counter(60_000);
    counts.record("a", 1);
    await counts.flush();
    expect(writes).toEqual([[["a", 1]]]);
    await counts.close();
  });

  it("puts a failed batch back, merged with what was recorded meanwhile, and writes it next time", async () => {
    const { counts, writes, errors, failNextWrite } = counter(60_000);
    counts.record("a", 1);
    failNextWrite();
    const failed = counts.flush();
    counts.record("a", 5);
    counts.record("b", 1);
    await expect(failed).rejects.toThrow("database away");
    expect(errors).toHaveLength(1);
    expect(writes).toEqual([]);
    await counts.flush();
    expect(writes).toEqual([
      [
        ["a", 6],
        ["b", 1],
      ],
    ]);
  });

  it("never has two writes in flight: a flush during a write waits for it, then writes what came since", async () => {
    const { counts, writes, holdWrites, mostActive } = counter(1_000);
    const release = holdWrites();
    counts.record("a", 1);
    const first = counts.flush();
    await vi.advanceTimersByTimeAsync(0);
    counts.record("b", 1);
    const second = counts.flush();
    // The interval fires while the first write still hangs: it queues behind it too.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writes).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(writes).toEqual([[["a", 1]], [["b", 1]]]);
    expect(mostActive()).toBe(1);
    await counts.close();
  });

  it("stops its timer on close() and writes what is pending; a failure there only reaches onError", async () => {
    const { counts, writes, errors, failNextWrite } = counter(1_000);
    counts.record("a", 1);
    await counts.close();
    expect(writes).toEqual([[["a", 1]]]);
    counts.record("b", 1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(writes).toHaveLength(1);
    failNextWrite();
    await expect(counts.close()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
