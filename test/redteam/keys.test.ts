import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { checksumOf } from "../../src/policy/apiKeyFormat";
import { KEY_BY_HASH } from "../../src/policy/principal";
import { type GraphQLBody, issueTestKey } from "../support/app";
import { buildBuyerWorld, policyState } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { codeOf, days, policyOf, type RedteamApi, recordingHandle, redteamApp } from "../support/redteam";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let recording: ReturnType<typeof recordingHandle>;
let api: RedteamApi;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  recording = recordingHandle(db);
  api = redteamApp(recording.handle, world.clock);
});
afterAll(async () => {
  await db?.destroy();
});

const READ =
  "query($f: InsightsFilter!) { insights(filter: $f) { totalCount nodes { dataset metrics { uniqueParticipantsEst } } } }";
const SET_BUDGET = `mutation { setBuyerBudget(input: { partnerId: "outside_buyer_acme", epsilonLimit: 1000, dailyQueryLimit: 100000 }) { budget { epsilonLimit } userErrors { code } } }`;

/** Sends one request through the recording handle; checks the refusal and that no cell was read and no state changed. */
async function expectRefusedBeforeCells(
  code: string,
  reason: string | undefined,
  send: () => Promise<{ body: GraphQLBody }>,
  /** A refused admin mutation writes one admin_refused audit row (beside the refusal) and nothing else. */
  options: { auditedRefusal?: boolean } = {},
) {
  const before = await policyState(db);
  recording.reset();
  const { body } = await send();
  expect(codeOf(body), JSON.stringify(body).slice(0, 300)).toBe(code);
  if (reason !== undefined) expect(body.errors?.[0]?.extensions?.reason).toBe(reason);
  expect(body.data?.insights ?? null).toBeNull();
  expect(body.data?.setBuyerBudget ?? null).toBeNull();
  expect(recording.touching("insight_cells")).toEqual([]);
  expect(recording.touching("budget_charges")).toEqual([]);
  expect(recording.touching("query_fingerprints")).toEqual([]);
  if (options.auditedRefusal) {
    const audit = Number(before?.audit) + 1;
    expect(await waitForPolicyState((state) => state?.audit === audit)).toEqual({ ...before, audit });
  } else {
    expect(await policyState(db)).toEqual(before);
  }
  return recording.statements();
}

async function waitForPolicyState(done: (state: Awaited<ReturnType<typeof policyState>>) => boolean) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const state = await policyState(db);
    if (done(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return policyState(db);
}

const flipLast = (key: string) => `${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`;

describe("keys are refused before any cell is read", () => {
  it("a valid buyer key does read cells through the recording handle (the recorder sees reads)", async () => {
    recording.reset();
    const { body } = await api.graphql(READ, { key: world.buyerKey, variables: { f: days(1, 2) } });
    expect(body.errors).toBeUndefined();
    expect(policyOf(body).epsilonCharged).toBe(0.5);
    expect(recording.touching("insight_cells").length).toBeGreaterThan(0);
    expect(recording.statements()).toContain(KEY_BY_HASH);
  });

  it("a broken checksum: UNAUTHENTICATED, refused before any database lookup (only the request log is written)", async () => {
    const statements = await expectRefusedBeforeCells("UNAUTHENTICATED", "BAD_CHECKSUM", () =>
      api.graphql(READ, { key: flipLast(world.buyerKey), variables: { f: days(2, 3) } }),
    );
    expect(statements.filter((text) => !/\brequest_logs\b/.test(text))).toEqual([]);
  });

  it("a malformed key: UNAUTHENTICATED, refused before any database lookup", async () => {
    const statements = await expectRefusedBeforeCells("UNAUTHENTICATED", "MALFORMED", () =>
      api.graphql(READ, { key: `${world.buyerKey}x`, variables: { f: days(2, 3) } }),
    );
    expect(statements.filter((text) => !/\brequest_logs\b/.test(text))).toEqual([]);
  });

  it("a buyer secret re-labelled as an operator key with a valid checksum: UNAUTHENTICATED (unknown)", async () => {
    const secret = world.buyerKey.split("_")[2] ?? "";
    const body = `ib_operator_${secret}`;
    const forged = `${body}_${checksumOf(body)}`;
    await expectRefusedBeforeCells("UNAUTHENTICATED", "INVALID", () =>
      api.graphql(SET_BUDGET, { key: forged }),
    );
    await expectRefusedBeforeCells("UNAUTHENTICATED", "INVALID", () =>
      api.graphql(READ, { key: forged, variables: { f: days(2, 3) } }),
    );
  });

  it("a revoked key works until it is revoked and is refused on the next request", async () => {
    const issued = await issueTestKey(db, "buyer", {
      clock: world.clock,
      partnerId: "outside_buyer_revoked",
    });
    const ok = await api.graphql("{ viewer { partnerId } }", { key: issued.apiKey });
    expect(ok.body.data).toEqual({ viewer: { partnerId: "outside_buyer_revoked" } });
    // Revoked through this app: its very next request is refused (other processes hear within a second).
    const revoked = await api.graphql(
      "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { userErrors { code } } }",
      { key: world.operatorKey, variables: { id: issued.key.id } },
    );
    expect(revoked.body.data?.revokeApiKey).toEqual({ userErrors: [] });
    await expectRefusedBeforeCells("UNAUTHENTICATED", "INVALID", () =>
      api.graphql(READ, { key: issued.apiKey, variables: { f: days(2, 3) } }),
    );
  });

  it("an expired key: UNAUTHENTICATED", async () => {
    const issued = await issueTestKey(db, "buyer", {
      clock: fixedClock("2026-01-19T00:00:00Z"),
      partnerId: "outside_buyer_expired",
      expiresAt: new Date("2026-01-20T00:00:00Z"),
    });
    await expectRefusedBeforeCells("UNAUTHENTICATED", "INVALID", () =>
      api.graphql(READ, { key: issued.apiKey, variables: { f: days(2, 3) } }),
    );
  });

  it("a TENANT key asking for insights: FORBIDDEN", async () => {
    const tenant = await issueTestKey(db, "tenant", { clock: world.clock });
    await expectRefusedBeforeCells("FORBIDDEN", undefined, () =>
      api.graphql(READ, { key: tenant.apiKey, variables: { f: days(2, 3) } }),
    );
  });

  it("a BUYER key calling setBuyerBudget: FORBIDDEN, and its budget is unchanged", async () => {
    await expectRefusedBeforeCells(
      "FORBIDDEN",
      undefined,
      () => api.graphql(SET_BUDGET, { key: world.buyerKey }),
      { auditedRefusal: true },
    );
    const { body } = await api.graphql(
      "{ viewer { privacyBudget { epsilonLimit } queryQuota { dailyLimit } } }",
      {
        key: world.buyerKey,
      },
    );
    expect(body.data?.viewer).toEqual({
      privacyBudget: { epsilonLimit: 10 },
      queryQuota: { dailyLimit: 50 },
    });
  });

  it("a TENANT key calling setBuyerBudget: FORBIDDEN", async () => {
    const tenant = await issueTestKey(db, "tenant", { clock: world.clock, tenantId: "OTHER" });
    await expectRefusedBeforeCells(
      "FORBIDDEN",
      undefined,
      () => api.graphql(SET_BUDGET, { key: tenant.apiKey }),
      { auditedRefusal: true },
    );
  });
});
