import { openDatabase } from "./src/db/client";
import { computeCellTotals } from "./src/jobs/precompute/cellTotals";
const db = await openDatabase({ kind: "pglite", dataDir: process.argv[2] });
const [r] = await db.query<{ s: Date }>("select min(bucket_start) as s from releases where granularity='day'");
const start = new Date(r!.s);
const base = { granularity: "day" as const, start, bucketCount: 31, version: 1, parameters: { maxDoorsPerCell: 5, maxCellsPerParticipant: 4 } };
const key = { key: Buffer.alloc(32, 7), id: "x" };
const rollups = [["city_code","total",1],["city_code","door_type",2],["city_code","category",2],["city_code","context",2],["geohash3","total",1]].map(([g,l,m]) => ({ geoType: g as "city_code", level: l as string, maxCells: m as number }));
let out = "";
for (const [label, range] of [["full both", { ...base, geoTypes: ["city_code", "geohash3"] }], ["rollups only", { ...base, geoTypes: [], rollups }], ["full + rollups", { ...base, geoTypes: ["city_code", "geohash3"], rollups }]] as const) {
  const t = performance.now();
  const res = await computeCellTotals(db, key, range as never);
  let n = 0; let sum = 0; for (const m of res.values()) for (const rows of m.values()) for (const row of rows) { n++; sum += row.unique_participants * 7 + row.doors_opened * 3 + row.repeat_participants; }
  out += `${label} ${((performance.now() - t) / 1000).toFixed(1)} s rows ${n} checksum ${sum}\n`;
}
console.log(out);
await db.close();
