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
