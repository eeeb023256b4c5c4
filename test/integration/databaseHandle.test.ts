import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await db?.destroy();
});

describe(`the database handle (${process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("passes arrays of text with quotes, backslashes, commas and nulls through unchanged", async () => {
    const values = ["plain", 'with "quotes"', "back\\slash", "comma, and {braces}", null, "", "NULL"];
    // Read back element by element: what matters is what arrived in the database.
    const rows = await db.query<{ value: string | null }>(
      "select u.value from unnest($1::text[]) with ordinality as u(value, n) order by n",
      [values],
    );
    expect(rows.map((row) => row.value)).toEqual(values);
  });

  it("passes boolean, integer, float and instant arrays and single instants", async () => {
    const at = new Date("2026-01-06T08:00:00.123Z");
    const [row] = await db.query<{
      flags: string;
      counts: number[];
      shares: number[];
      at: Date;
      ats: string;
    }>(
      "select ($1::bool[])::text as flags, $2::int[] as counts, $3::float8[] as shares, $4::timestamptz as at, ($5::timestamptz[])[1]::text as ats",
      [[true, false, null], [1, -2, 3], [0.5, 1e-6], at, [at]],
    );
    expect(row?.flags).toBe("{t,f,NULL}");
    expect(row?.counts).toEqual([1, -2, 3]);
    expect(row?.shares).toEqual([0.5, 1e-6]);
    expect(new Date(row?.at ?? 0).toISOString()).toBe(at.toISOString());
    expect(new Date(row?.ats ?? "").toISOString()).toBe(at.toISOString());
  });

  it("rolls a transaction back entirely when its work throws", async () => {
    await db.query("create table if not exists handle_probe (n int)");
    await expect(
      db.transaction(async (query) => {
        await query("insert into handle_probe values (1)");
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    const committed = await db.transaction(async (query) => {
      await query("insert into handle_probe values (2)");
      return "done";
    });
    expect(committed).toBe("done");
    expect(await db.query<{ n: number }>("select n from handle_probe")).toEqual([{ n: 2 }]);
  });
});
