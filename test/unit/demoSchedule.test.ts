import { describe, expect, it } from "vitest";
import { todaySchedule } from "../../src/demo/demoActivity";

describe("the demo's schedule for today", () => {
  it.each(["2026-05-20T12:00:00Z", "2026-05-20T00:16:00Z", "2026-05-20T00:00:03Z", "2026-05-20T00:00:00Z"])(
    "at %s: every probe and the import fall in today's UTC day, in order, none after now",
    (at) => {
      const now = new Date(at);
      const { probes, importAt } = todaySchedule(now, 45);
      const midnight = Date.parse(at.slice(0, 10));
      const times = [...probes, importAt].map((time) => time.getTime());
      expect(probes).toHaveLength(45);
      expect(times.every((time) => time >= midnight && time <= now.getTime())).toBe(true);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    },
  );

  it("spreads the probes ten seconds apart when the last twenty minutes are all today", () => {
    const { probes } = todaySchedule(new Date("2026-05-20T12:00:00Z"), 45);
    expect(probes[0]?.toISOString()).toBe("2026-05-20T11:40:00.000Z");
    expect(probes[1]?.toISOString()).toBe("2026-05-20T11:40:10.000Z");
  });
});
