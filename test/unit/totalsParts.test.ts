import { describe, expect, it } from "vitest";
import { cellTotalsSettings } from "../../src/jobs/precompute/aggregateSql";
import { totalsParts } from "../../src/jobs/precompute/cellTotals";

describe("totalsParts", () => {
  it("is one whole part without parallelism", () => {
    expect(totalsParts(30, 1)).toEqual([
      { firstBucket: 0, bucketCount: 30, participantPartitions: 1, participantPartition: 0 },
    ]);
  });

  it("splits a run of enough buckets into consecutive ranges that cover it exactly once", () => {
    for (const [buckets, parallel] of [
      [30, 2],
      [31, 2],
      [2, 2],
      [7, 3],
      [168, 4],
    ] as const) {
      const parts = totalsParts(buckets, parallel);
      expect(parts).toHaveLength(parallel);
      const covered = parts.flatMap((part) =>
        Array.from({ length: part.bucketCount }, (_, index) => part.firstBucket + index),
      );
      expect(covered).toEqual(Array.from({ length: buckets }, (_, index) => index));
      const sizes = parts.map((part) => part.bucketCount);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(parts.every((part) => part.participantPartitions === 1)).toBe(true);
    }
    expect(totalsParts(31, 2).map((part) => [part.firstBucket, part.bucketCount])).toEqual([
      [0, 15],
      [15, 16],
    ]);
  });

  it("splits HOUR runs only between days (a day's 24 hours in one part), wherever the run starts", () => {
    for (const [hours, parallel, lead] of [
      [72, 3, 0],
      [72, 2, 0],
      [67, 3, 5],
      [48, 2, 23],
      [24 * 7, 4, 0],
      [24 * 30, 2, 12],
    ] as const) {
      const parts = totalsParts(hours, parallel, 24, lead);
      expect(parts).toHaveLength(parallel);
      const covered = parts.flatMap((part) =>
        Array.from({ length: part.bucketCount }, (_, index) => part.firstBucket + index),
      );
      expect(covered).toEqual(Array.from({ length: hours }, (_, index) => index));
      expect(parts.every((part) => part.participantPartitions === 1 && part.bucketCount > 0)).toBe(true);
      // Every boundary between parts is a day boundary of the clock (hour `lead` of the run is hour `lead` of a day).
      for (const part of parts.slice(1)) expect((part.firstBucket + lead) % 24).toBe(0);
      // Balanced in days.
      const days = parts.map(
        (part) =>
          new Set(
            Array.from({ length: part.bucketCount }, (_, i) =>
              Math.floor((part.firstBucket + i + lead) / 24),
            ),
          ).size,
      );
      expect(Math.max(...days) - Math.min(...days)).toBeLessThanOrEqual(1);
    }
    expect(totalsParts(67, 3, 24, 5).map((part) => [part.firstBucket, part.bucketCount])).toEqual([
      [0, 19],
      [19, 24],
      [43, 24],
    ]);
    // Fewer days than parts: participant partitions of the whole run, even with many hours.
    expect(totalsParts(48, 3, 24, 0).map((part) => part.participantPartitions)).toEqual([3, 3, 3]);
    expect(totalsParts(30, 2, 24, 20).map((part) => [part.firstBucket, part.bucketCount])).toEqual([
      [0, 4],
      [4, 26],
    ]);
    // The default unit of one bucket splits as before.
    expect(totalsParts(31, 2, 1, 0)).toEqual(totalsParts(31, 2));
    expect(() => totalsParts(24, 2, 24, 24)).toThrow(/bad totals part unit/);
  });

  it("splits a run shorter than the parallelism by participants instead", () => {
    expect(totalsParts(1, 2)).toEqual([
      { firstBucket: 0, bucketCount: 1, participantPartitions: 2, participantPartition: 0 },
      { firstBucket: 0, bucketCount: 1, participantPartitions: 2, participantPartition: 1 },
    ]);
  });
});

describe("cellTotalsSettings", () => {
  it("uses the configured work_mem, else 1GB on PostgreSQL and 256MB on PGlite, and refuses anything else", () => {
    expect(cellTotalsSettings("postgres", 24, "64MB")).toContainEqual(["work_mem", "'64MB'"]);
    expect(cellTotalsSettings("postgres", 24)).toContainEqual(["work_mem", "'1GB'"]);
    expect(cellTotalsSettings("pglite", 24)).toContainEqual(["work_mem", "'256MB'"]);
    expect(() => cellTotalsSettings("postgres", 24, "1GB'; reset all; --")).toThrow(/bad work_mem/);
  });
});
