import { describe, expect, it } from "vitest";
import { isUuid } from "../../src/db/uuid";

describe("isUuid", () => {
  it("accepts a canonical UUID in either case, as PostgreSQL's uuid type does", () => {
    expect(isUuid("5b1c7a0e-3f7d-4c1e-9d7a-6f3e2b8c4a10")).toBe(true);
    expect(isUuid("5B1C7A0E-3F7D-4C1E-9D7A-6F3E2B8C4A10")).toBe(true);
  });

  it("refuses what only looks like one: wrong grouping, 36 dashes, braces, spaces, other letters", () => {
    for (const text of [
      "5b1c7a0e3f7d-4c1e-9d7a-6f3e2b8c4a10-",
      "-".repeat(36),
      "{5b1c7a0e-3f7d-4c1e-9d7a-6f3e2b8c4a10}",
      " 5b1c7a0e-3f7d-4c1e-9d7a-6f3e2b8c4a10",
      "5b1c7a0e-3f7d-4c1e-9d7a-6f3e2b8c4a1g",
      "",
    ]) {
      expect(isUuid(text), text).toBe(false);
    }
  });
});
