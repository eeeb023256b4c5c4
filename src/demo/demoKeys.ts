import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { systemActor } from "../audit/actor";
import type { Clock } from "../clock";
import type { DatabaseHandle } from "../db/client";
import type { ApiRole } from "../db/schema/enums";
import { resolvePrincipal } from "../policy/principal";
import { issueApiKey } from "../resolvers/admin/apiKeys";
import { DEMO_BUSINESS_ID, ensureDemoBusinesses } from "./demoBusinesses";

export interface DemoKey {
  role: ApiRole;
  name: string;
  apiKey: string;
}

const DEMO_KEY_SPECS: Array<{
  role: ApiRole;
  name: string;
  partnerId?: string;
  tenantId?: string;
  businessId?: string;
}> = [
  { role: "operator", name: "demo-operator" },
  { role: "internal", name: "demo-internal" },
  { role: "buyer", name: "demo-buyer", partnerId: "outside_buyer_demo" },
  { role: "tenant", name: "demo-tenant", tenantId: "TELCO" },
  // Bound to an existing business: ensureDemoKeys sets the demo businesses up first.
  { role: "business", name: "demo-business", businessId: DEMO_BUSINESS_ID },
];

/**
 * Demo mode only: one key per role (the BUSINESS key bound to the demo business, set up here), kept in plaintext in DATA_DIR/demo-keys.json so that every
 * start can print them. A key missing from the file or no longer valid is issued anew.
 */
export async function ensureDemoKeys(
  database: DatabaseHandle,
  clock: Clock,
  dataDir: string,
): Promise<DemoKey[]> {
  const file = path.join(dataDir, "demo-keys.json");
  const stored: DemoKey[] = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as DemoKey[]) : [];
  const keys: DemoKey[] = [];
  await ensureDemoBusinesses(database, clock.now());
  for (const spec of DEMO_KEY_SPECS) {
    const existing = stored.find((key) => key.role === spec.role);
    if (existing && (await resolvePrincipal(database, `Bearer ${existing.apiKey}`, clock)).ok) {
      keys.push(existing);
      continue;
    }
    const issued = await issueApiKey({ database, clock }, systemActor("demo"), spec);
    if (!issued.ok)
      throw new Error(`demo key for ${spec.role}: ${issued.userErrors.map((e) => e.message).join("; ")}`);
    keys.push({ role: spec.role, name: spec.name, apiKey: issued.value.apiKey });
  }
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
