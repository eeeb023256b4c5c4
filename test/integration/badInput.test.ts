import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_GRAPHQL_BODY_BYTES } from "../../src/app";
import { buildBuyerWorld, policyState } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { days, policyOf, type RedteamApi, redteamApp } from "../support/redteam";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let api: RedteamApi;

const NORMAL = "query($f: InsightsFilter!) { insights(filter: $f) { totalCount } }";
const READ = "query($f: InsightsFilter!) { insights(filter: $f, first: 5) { totalCount nodes { dataset } } }";

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  api = redteamApp(db, world.clock);
  // The "normal request" each case ends with: Jan 1, charged here once, free from then on.
  const warm = await api.graphql(NORMAL, { key: world.buyerKey, variables: { f: days(1, 2) } });
  expect(policyOf(warm.body).epsilonCharged).toBe(0.5);
});
afterAll(async () => {
  await db?.destroy();
});

interface Outcome {
  status: number;
  code: string | undefined;
  text: string;
}

/** Sends raw bytes to /graphql as the buyer. */
async function raw(body: string, contentType = "application/json"): Promise<Outcome> {
  const response = await api.app.fetch("http://yoga/graphql", {
    method: "POST",
    headers: { "content-type": contentType, authorization: `Bearer ${world.buyerKey}` },
    body,
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]
      ?.extensions?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code, text };
}

const send = (query: string, variables?: Record<string, unknown>) => () =>
  raw(JSON.stringify({ query, variables }));

const literalFilter = (fields: string) => `{ insights(filter: { ${fields} }) { totalCount } }`;
const distinctCityIds = (count: number) =>
  Array.from({ length: count }, (_, i) => `zz-${i.toString(36).padStart(6, "0")}`);

interface BadInput {
  name: string;
  send: () => Promise<Outcome>;
  status: number;
  /** undefined: the response has no body to carry a code (415). */
  code: string | undefined;
  /** A note when the code is Yoga's own because the contract has none. */
  extensions?: Record<string, unknown>;
}

const cases: BadInput[] = [
  {
    name: "an unaligned start (literal)",
    send: send(
      literalFilter(`timeBucketStartUtc: "2026-01-02T03:00:00Z", timeBucketEndUtc: "2026-01-03T00:00:00Z"`),
    ),
    status: 200,
    code: "BAD_USER_INPUT",
  },
  {
    name: "an unaligned end (variables)",
    send: send(NORMAL, { f: { ...days(2, 3), timeBucketEndUtc: "2026-01-03T00:00:01Z" } }),
    status: 200,
    code: "BAD_USER_INPUT",
  },
  {
    name: "a WEEK range not starting on a Monday",
    send: send(NORMAL, { f: { ...days(6, 13), granularity: "WEEK" } }),
    status: 200,
    code: "BAD_USER_INPUT",
  },
  {
    name: "a reversed range",
    send: send(NORMAL, {
      f: { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-02T00:00:00Z" },
    }),
    status: 200,
    code: "BAD_USER_INPUT",
  },
  {
    name: "an empty range (start = end)",
    send: send(NORMAL, {
      f: { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-05T00:00:00Z" },
    }),
    status: 200,
    code: "BAD_USER_INPUT",
  },
  {
    name: "a start that is not a DateTime (literal)",
    send: send(literalFilter(`timeBucketStartUtc: "last tuesday", timeBucketEndUtc: "2026-01-03T00:00:00Z"`)),
    status: 200,
    code: "BAD_USER_INPUT",
  },
  {
    name: "an unknown enum value (variables)",
    send: send(NORMAL, { f: { ...days(2, 3), granularity: "MONTH" } }),
    status: 200,
    code: "BAD_USER_INPUT",
  },
  {
    name: "an unknown enum value (literal)",
    send: send(
      literalFilter(
        `granularity: MONTH, timeBucketStartUtc: "2026-01-02T00:00:00Z", timeBucketEndUtc: "2026-01-03T00:00:00Z"`,
      ),
    ),
    status: 200,
    code: "BAD_USER_INPUT",
  },
  {
    name: "10,000 distinct geoBucketIds (variables)",
    send: send(NORMAL, { f: { ...days(2, 3), geoBucketIds: distinctCityIds(10_000) } }),
    status: 200,
    code: "TOO_MANY_GEO_BUCKETS",
  },
  {
    name: "10,000 geoBucketIds written into the document",
    send: send(
      literalFilter(
        `timeBucketStartUtc: "2026-01-02T00:00:00Z", timeBucketEndUtc: "2026-01-03T00:00:00Z", geoBucketIds: ${JSON.stringify(distinctCityIds(10_000))}`,
      ),
    ),
    status: 200,
    code: "QUERY_REJECTED",
  },
  {
    name: "6 MB of variables: 600,000 geo ids",
    send: () => {
      const body = JSON.stringify({
        query: NORMAL,
        variables: { f: { ...days(2, 3), geoBucketIds: distinctCityIds(600_000) } },
      });
      expect(body.length).toBeGreaterThan(MAX_GRAPHQL_BODY_BYTES);
      return raw(body);
    },
    // Refused unread: the body is over the 6 MB GraphQL body limit.
    status: 413,
    code: "QUERY_REJECTED",
  },

  {
    name: "6 MB of variables: one 6 MB geo id",
    send: send(NORMAL, { f: { ...days(2, 3), geoBucketIds: ["x".repeat(MAX_GRAPHQL_BODY_BYTES)] } }),
    status: 413,
    code: "QUERY_REJECTED",
  },
  {
    name: "a 100 KB geo id: refused without echoing it back",
    send: send(NORMAL, { f: { ...days(2, 3), geoBucketIds: ["x".repeat(100_000)] } }),
    status: 200,
    code: "BAD_USER_INPUT",
  },
  {
    name: "introspection nested 10 levels deep through ofType",
    send: send(
      `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }`,
    ),
    status: 200,
    code: "QUERY_REJECTED",
  },
  {
    name: "introspection nested 400 levels deep (past the token limit)",
    send: send(
      `{ __schema { types { fields { type { ${"ofType { ".repeat(400)}name${" }".repeat(400)} } } } } }`,
    ),
    status: 200,
    code: "QUERY_REJECTED",
  },
  {
    // graphql-armor's max-aliases skips __typename by default (allowList), so this one is not counted today.
    name: "an alias bomb of 200 aliases",
    send: send(`{ ${Array.from({ length: 200 }, (_, i) => `a${i}: __typename`).join(" ")} }`),
    status: 200,
    code: "QUERY_REJECTED",
  },
  {
    name: "an alias bomb of 200 aliased insights reads",
    send: send(
      `query($f: InsightsFilter!) { ${Array.from({ length: 200 }, (_, i) => `a${i}: insights(filter: $f) { totalCount }`).join(" ")} }`,
      { f: days(3, 4) },
    ),
    status: 200,
    code: "QUERY_REJECTED",
  },
  {
    name: "a fragment bomb (each fragment spreads the previous twice)",
    send: send(
      `{ viewer { ...V20 } } fragment V0 on Viewer { role }${Array.from({ length: 20 }, (_, i) => ` fragment V${i + 1} on Viewer { ...V${i} ... on Viewer { ...V${i} } }`).join("")}`,
    ),
    status: 200,
    code: "QUERY_REJECTED",
  },
];

// Where the contract names no code, Yoga's own is the stable one.
const yogaCases: BadInput[] = [
  {
    name: "a fragment cycle",
    send: send("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
    status: 200,
    code: "GRAPHQL_VALIDATION_FAILED",
  },
  { name: "a syntax error", send: send("{ insights(filter: { "), status: 200, code: "GRAPHQL_PARSE_FAILED" },
  {
    name: "invalid JSON",
    send: () => raw('{ "query": "{ viewer { role } }", '),
    status: 400,
    code: "BAD_REQUEST",
  },
  {
    name: "a JSON body that is not an object",
    send: () => raw('"{ viewer { role } }"'),
    status: 400,
    code: "BAD_REQUEST",
  },
  { name: "no query at all", send: () => raw("{}"), status: 200, code: "BAD_REQUEST" },
  {
    name: "a batched request (JSON array)",
    send: () => raw(JSON.stringify([{ query: "{ viewer { role } }" }, { query: "{ viewer { role } }" }])),
    status: 400,
    code: "BAD_REQUEST",
  },
  {
    name: "the wrong content type (text/plain)",
    send: () => raw(JSON.stringify({ query: "{ viewer { role } }" }), "text/plain"),
    status: 415,
    code: undefined,
  },
  {
    name: "the wrong content type (application/xml)",
    send: () => raw("<query>viewer</query>", "application/xml"),
    status: 415,
    code: undefined,
  },
];

describe("bad input gets its stable code, charges nothing, and the server keeps serving", () => {
  for (const bad of [...cases, ...yogaCases]) {
    it(`${bad.name}: HTTP ${bad.status}, ${bad.code ?? "no body"}`, async () => {
      const before = await policyState(db);
      const outcome = await bad.send();
      expect({ status: outcome.status, code: outcome.code }, outcome.text.slice(0, 300)).toEqual({
        status: bad.status,
        code: bad.code,
      });
      if (bad.code === undefined) expect(outcome.text).toBe("");
      else expect(outcome.text).not.toMatch(/"data":\{"insights"/);
      expect(await policyState(db)).toEqual(before);

      const normal = await api.graphql(NORMAL, { key: world.buyerKey, variables: { f: days(1, 2) } });
      expect(normal.status).toBe(200);
      expect(normal.body.data).toEqual({ insights: { totalCount: 270 } });
    });
  }

  it("refusals name the broken limit: 10,000 geo ids report limit 50 and the count", async () => {
    const { body } = await api.graphql(NORMAL, {
      key: world.buyerKey,
      variables: { f: { ...days(2, 3), geoBucketIds: distinctCityIds(10_000) } },
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: "TOO_MANY_GEO_BUCKETS",
      limit: 50,
      actual: 10_000,
    });
  });

  it("10,000 copies of one geo id are one id: one shape with the single id, nothing charged again", async () => {
    const single = await api.graphql(READ, {
      key: world.buyerKey,
      variables: { f: { ...days(1, 2), geoBucketIds: ["us-nyc"] } },
    });
    await api.app.flush();
    const before = await policyState(db);
    const copies = await api.graphql(READ, {
      key: world.buyerKey,
      variables: { f: { ...days(1, 2), geoBucketIds: Array(10_000).fill("us-nyc") } },
    });
    expect(copies.body.errors).toBeUndefined();
    expect(copies.body.data).toEqual(single.body.data);
    expect(policyOf(copies.body)).toMatchObject({
      fingerprint: policyOf(single.body).fingerprint,
      epsilonCharged: 0,
    });
    await api.app.flush();
    expect(await policyState(db)).toEqual({ ...before, hits: (before?.hits as number) + 1 });
  });
});

describe("error messages", () => {
  it("never echo more than a short excerpt of bad input", async () => {
    const { quoteShort } = await import("../../src/insights/insightsFilter");
    expect(quoteShort("x".repeat(100_000))).toHaveLength(65);
    expect(quoteShort("us-nyc")).toBe('"us-nyc"');
  });
});
