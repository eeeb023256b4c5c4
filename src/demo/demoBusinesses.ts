import type { DatabaseHandle } from "../db/client";

/** The business the printed demo BUSINESS key is bound to. */
export const DEMO_BUSINESS_ID = "biz_harbour_coffee";

interface DemoBusiness {
  id: string;
  name: string;
  /** Its spots: the busiest of this city, door type and category over the last week of events. */
  cityCode: string;
  doorType: string;
  category: string;
  spots: number;
}

const DEMO_BUSINESSES: DemoBusiness[] = [
  {
    id: DEMO_BUSINESS_ID,
    name: "Harbour Coffee",
    cityCode: "us-nyc",
    doorType: "spot",
    category: "coffee",
    spots: 3,
  },
  {
    id: "biz_thames_food_hall",
    name: "Thames Food Hall",
    cityCode: "gb-lon",
    doorType: "spot",
    category: "food",
    spots: 3,
  },
  {
    id: "biz_trailhead_outdoors",
    name: "Trailhead Outdoors",
    cityCode: "us-nyc",
    doorType: "spot",
    category: "outdoor",
    spots: 2,
  },
];

const WEEK_MS = 7 * 86_400_000;

/**
 * Demo mode only: a few first-party businesses, each owning its busiest spots of one kind, so the
 * printed BUSINESS key reads cells above the threshold. Idempotent: a business that already owns
 * spots is left as it is; spots already owned by another business are never taken.
 */
export async function ensureDemoBusinesses(
  handle: DatabaseHandle,
  now: Date,
): Promise<Array<{ id: string; name: string; spotIds: string[] }>> {
  const out: Array<{ id: string; name: string; spotIds: string[] }> = [];
  for (const business of DEMO_BUSINESSES) {
    await handle.query("insert into businesses (id, name) values ($1, $2) on conflict (id) do nothing", [
      business.id,
      business.name,
    ]);
    let owned = await ownedSpots(handle, business.id);
    if (owned.length === 0) {
      await handle.query(
        `update spots set business_id = $1
         where id in (
           select s.id from spots s
           join interaction_events e on e.spot_id = s.id and e.occurred_at >= $6::timestamptz
           where s.business_id is null and s.city_code = $2 and s.door_type = $3::door_type
             and s.category = $4::category
           group by s.id
           order by count(*) desc, s.id
           limit $5
         )`,
        [
          business.id,
          business.cityCode,
          business.doorType,
          business.category,
          business.spots,
          new Date(now.getTime() - WEEK_MS),
        ],
      );
      owned = await ownedSpots(handle, business.id);
    }
    out.push({ id: business.id, name: business.name, spotIds: owned });
  }
  return out;
}

async function ownedSpots(handle: DatabaseHandle, businessId: string): Promise<string[]> {
  const rows = await handle.query<{ id: string }>("select id from spots where business_id = $1 order by id", [
    businessId,
  ]);
  return rows.map((row) => row.id);
}
