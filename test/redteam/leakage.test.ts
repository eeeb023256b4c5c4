import fc from "fast-check";
import { type GraphQLObjectType, isObjectType, parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trendScore } from "../../src/insights/trendScores";
import { DENIED_KEYS, findDeniedKeys, findDeniedResponseKeys } from "../../src/policy/denyList";
import { buyerSchema } from "../../src/schema/index";
import type { GraphQLBody } from "../support/app";
import { buildBuyerWorld } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import {
  allKeys,
  buyerKey,
  codeOf,
  isDeniedKeyIndependent,
  type RedteamApi,
  redteamApp,
  setBudget,
} from "../support/redteam";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let api: RedteamApi;
const geoIds: Record<"CITY_CODE" | "GEOHASH3", string[]> = { CITY_CODE: [], GEOHASH3: [] };

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  api = redteamApp(db, world.clock);
  // Never refused for budget or quota: every response is a real answer to check.
  await setBudget(api, world.operatorKey, "outside_buyer_acme", 1000, 100_000);
  const rows = await db.query<{ geo_type: string; id: string }>(
    `select distinct r.geo_type::text as geo_type, c.geo_bucket_id as id
     from insight_cells c join releases r on r.id = c.release_id order by 1, 2`,
  );
  for (const row of rows) geoIds[row.geo_type === "city_code" ? "CITY_CODE" : "GEOHASH3"].push(row.id);
  expect(geoIds.CITY_CODE).toEqual(["gb-lon", "us-nyc"]);
  expect(geoIds.GEOHASH3.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await db?.destroy();
});

// ---------------------------------------------------------------------------------------------
// The buyer-visible output types (leaves are null); a test below checks them against the buyer schema.
const TYPES: Record<string, Record<string, string | null>> = {
  InsightCellConnection: {
    totalCount: null,
    pageInfo: "PageInfo",
    nodes: "InsightCell",
    edges: "InsightCellEdge",
  },
  InsightCellEdge: { cursor: null, node: "InsightCell" },
  PageInfo: { hasNextPage: null, hasPreviousPage: null, startCursor: null, endCursor: null },
  InsightCell: {
    schemaVersion: null,
    dataset: null,
    timeBucketStartUtc: null,
    timeGranularity: null,
    reportingDelayHours: null,
    geoBucket: "GeoBucket",
    segment: "Segment",
    metrics: "CellMetrics",
    accuracy: "CellAccuracy",
    privacy: "CellPrivacy",
    __typename: null,
  },
  GeoBucket: { type: null, id: null, name: null },
  Segment: { doorType: null, category: null, context: null },
  CellMetrics: {
    uniqueParticipantsEst: null,
    doorsOpenedEst: null,
    repeatRateEst: null,
    trendScoreEst: null,
  },
  CellAccuracy: { confidence: null, uniqueParticipants: null, doorsOpened: null, repeatParticipants: null },
  CellPrivacy: { kMinEnforced: null, suppressed: null, suppressedReason: null, dp: "DpParameters" },
  DpParameters: {
    enabled: null,
    mechanism: null,
    epsilon: null,
    participantDayEpsilon: null,
    delta: null,
    budgetWindowDays: null,
    noiseScale: null,
    releaseId: null,
  },
  PrivacyStatement: {
    unit: null,
    epsilonCap: null,
    deltaCap: null,
    planEpsilonPerParticipantDay: null,
    planDeltaPerParticipantDay: null,
    worstCase30DayEpsilon: null,
    families: "PlanEntry",
    highestLedgerDay: "LedgerDay",
    daysOutsideGuarantee: null,
    tiersOutsideGuarantee: "TierOutsideGuarantee",
  },
  TierOutsideGuarantee: { role: null, tier: null, statement: null },
  PlanEntry: {
    granularity: null,
    geoBucketType: null,
    breakdown: null,
    epsilon: null,
    delta: null,
    enabled: null,
  },
  LedgerDay: { dayUtc: null, epsilon: null, delta: null, families: null, outsideGuarantee: null },
  Viewer: {
    partnerId: null,
    tenantId: null,
    businessId: null,
    role: null,
    privacyBudget: "PrivacyBudget",
    queryQuota: "QueryQuota",
  },
  PrivacyBudget: {
    epsilonLimit: null,
    epsilonSpent: null,
    epsilonRemaining: null,
    windowDays: null,
    windowStartUtc: null,
  },
  QueryQuota: { dailyLimit: null, usedToday: null, resetsAtUtc: null },
  InsightsQuote: {
    epsilonCost: null,
    newReleaseCount: null,
    epsilonRemaining: null,
    fingerprint: null,
    wouldCountTowardQueryQuota: null,
    accuracy: "LevelAccuracy",
  },
  LevelAccuracy: {
    granularity: null,
    geoBucketType: null,
    breakdown: null,
    confidence: null,
    uniqueParticipants: null,
    doorsOpened: null,
    repeatParticipants: null,
  },
};
const DIAGNOSTIC_FIELDS = [
  "trueUniqueParticipants",
  "trueDoorsOpened",
  "topContributorShare",
  "suppressionCause",
];
const FORBIDDEN_KEYS = new Set(["diagnostics", ...DIAGNOSTIC_FIELDS]);
const INTERNAL_TYPE_NAMES =
  /CellDiagnostics|SuppressionCause|SetBuyerBudgetPayload|SetBuyerBudgetInput|Mutation/;
/** A suppression cause in any case (a word of its own, so k_min_enforced does not count). */
const SUPPRESSION_CAUSES = /\b(k_min|noisy_threshold|dominance)\b/i;

type Node =
  | {
      kind: "field";
      name: string;
      alias: boolean;
      directive: string;
      children?: Node[];
      diagnostics?: boolean;
    }
  | { kind: "inline"; on: string | null; directive: string; children: Node[] }
  | { kind: "spread"; on: string; directive: string; children: Node[] };

const directiveArb = fc.constantFrom("", "", "", "@include(if: true)", "@skip(if: false)");
const wrapArb = fc.constantFrom("direct", "direct", "inline", "bare", "spread");

function wrap(node: Node, how: string, type: string, directive: string): Node {
  if (how === "inline") return { kind: "inline", on: type, directive, children: [node] };
  if (how === "bare") return { kind: "inline", on: null, directive, children: [node] };
  if (how === "spread") return { kind: "spread", on: type, directive, children: [node] };
  return node;
}

const setArbs = new Map<string, fc.Arbitrary<Node[]>>();
/** A random non-empty selection set of a buyer type: fields (aliased or not), some wrapped in fragments. */
function setArb(type: string): fc.Arbitrary<Node[]> {
  const cached = setArbs.get(type);
  if (cached) return cached;
  const fields = TYPES[type] ?? {};
  const names = Object.keys(fields);
  const fieldArb = (name: string): fc.Arbitrary<Node> => {
    const child = fields[name];
    const base = fc.record({
      alias: fc.boolean(),
      directive: directiveArb,
      how: wrapArb,
      wrapDirective: directiveArb,
    });
    const withChildren = child ? fc.tuple(base, setArb(child)) : base.map((b) => [b, undefined] as const);
    return withChildren.map(([b, children]) =>
      wrap(
        { kind: "field", name, alias: b.alias, directive: b.directive, ...(children ? { children } : {}) },
        b.how,
        type,
        b.wrapDirective,
      ),
    );
  };
  const visible = fc
    .shuffledSubarray(names, { minLength: 1, maxLength: Math.min(names.length, 5) })
    .chain((chosen) => fc.tuple(...chosen.map(fieldArb)));
  const arb =
    type === "InsightCell"
      ? fc
          .tuple(
            visible,
            fc.option(
              fc.record({
                fields: fc.subarray(DIAGNOSTIC_FIELDS, { minLength: 1 }),
                placement: fc.constantFrom("direct", "inline", "spread"),
                alias: fc.boolean(),
              }),
              { freq: 2 },
            ),
          )
          .map(([nodes, diagnostics]): Node[] => {
            if (diagnostics === null) return nodes;
            const field: Node = {
              kind: "field",
              name: "diagnostics",
              alias: diagnostics.alias,
              directive: "",
              diagnostics: true,
              children: diagnostics.fields.map((name) => ({
                kind: "field",
                name,
                alias: false,
                directive: "",
              })),
            };
            if (diagnostics.placement === "direct") return [...nodes, field];
            if (diagnostics.placement === "inline")
              return [...nodes, { kind: "inline", on: "InsightCell", directive: "", children: [field] }];
            // A named fragment holding diagnostics also holds a visible field, so something is left after the strip.
            const typename: Node = { kind: "field", name: "__typename", alias: false, directive: "" };
            return [
              { kind: "spread", on: "InsightCell", directive: "", children: [typename, field] },
              ...nodes,
            ];
          })
      : visible.map((nodes): Node[] => nodes);
  setArbs.set(type, arb);
  return arb;
}

interface FilterSpec {
  start: number;
  length: number;
  granularity: boolean;
  geoType: "CITY_CODE" | "GEOHASH3" | null;
  geoPick: number[] | null;
  doorTypes: string[] | null;
  categories: string[] | null;
  contexts: string[] | null;
}

const filterArb: fc.Arbitrary<FilterSpec> = fc
  .record({
    start: fc.integer({ min: 1, max: 10 }),
    length: fc.integer({ min: 1, max: 3 }),
    granularity: fc.boolean(),
    geoType: fc.constantFrom("CITY_CODE", "GEOHASH3", null),
    geoPick: fc.option(fc.array(fc.nat(), { minLength: 1, maxLength: 3 })),
    doorTypes: fc.option(fc.subarray(["SPOT", "EVENT", "COMMUNITY"], { minLength: 1 })),
    categories: fc.option(
      fc.subarray(["COFFEE", "MUSIC", "SPORTS", "ART", "FOOD", "OUTDOOR", "TECH", "COMMUNITY", "OTHER"], {
        minLength: 1,
        maxLength: 4,
      }),
    ),
    contexts: fc.option(
      fc.subarray(["MORNING", "MIDDAY", "EVENING", "WEEKEND", "UNKNOWN"], { minLength: 1 }),
    ),
  })
  .map((spec) => ({ ...spec, length: Math.min(spec.length, 11 - spec.start) }));

function filterValue(spec: FilterSpec): Record<string, unknown> {
  const day = (n: number) => `2026-01-${String(n).padStart(2, "0")}T00:00:00Z`;
  const ids = geoIds[spec.geoType ?? "CITY_CODE"];
  return {
    timeBucketStartUtc: day(spec.start),
    timeBucketEndUtc: day(spec.start + spec.length),
    ...(spec.granularity ? { granularity: "DAY" } : {}),
    ...(spec.geoType ? { geoBucketType: spec.geoType } : {}),
    ...(spec.geoPick ? { geoBucketIds: spec.geoPick.map((i) => ids[i % ids.length]) } : {}),
    ...(spec.doorTypes ? { doorTypes: spec.doorTypes } : {}),
    ...(spec.categories ? { categories: spec.categories } : {}),
    ...(spec.contexts ? { contexts: spec.contexts } : {}),
  };
}

function literal(value: unknown, key = ""): string {
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, key)).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return `{ ${Object.entries(value)
      .map(([name, item]) => `${name}: ${literal(item, name)}`)
      .join(", ")} }`;
  return key.startsWith("time") || key === "geoBucketIds" ? JSON.stringify(value) : String(value);
}

const insightsArb = fc.record({
  filter: filterArb,
  first: fc.option(fc.integer({ min: 0, max: 20 }), { freq: 8 }),
  asVariable: fc.boolean(),
  directive: directiveArb,
  selection: setArb("InsightCellConnection"),
});

const operationArb = fc
  .record({
    insights: fc.array(insightsArb, { minLength: 0, maxLength: 2 }),
    viewer: fc.option(setArb("Viewer"), { freq: 3 }),
    statement: fc.option(setArb("PrivacyStatement"), { freq: 4 }),
    quote: fc.option(fc.tuple(filterArb, setArb("InsightsQuote"), fc.boolean()), { freq: 4 }),
    schemaIntrospection: fc.boolean(),
    typeIntrospection: fc.option(
      fc.constantFrom(
        "CellDiagnostics",
        "SuppressionCause",
        "InsightCell",
        "SetBuyerBudgetPayload",
        "SetBuyerBudgetInput",
        "Mutation",
      ),
      { freq: 3 },
    ),
    typename: fc.boolean(),
    rootWrap: fc.constantFrom("direct", "direct", "inline", "fragment"),
    name: fc.constantFrom("", "Leak", "Q"),
  })
  .filter(
    (op) =>
      op.insights.length > 0 ||
      op.viewer !== null ||
      op.statement !== null ||
      op.quote !== null ||
      op.schemaIntrospection ||
      op.typeIntrospection !== null ||
      op.typename,
  );
type Operation = typeof operationArb extends fc.Arbitrary<infer T> ? T : never;

interface Rendered {
  query: string;
  variables: Record<string, unknown>;
  fieldCount: number;
  selectsDiagnostics: boolean;
}

/** Renders an operation; the `denyAt`-th field (if any) gets `denyName` as its alias. */
function render(op: Operation, deny: { at: number; name: string } | null): Rendered {
  const reservedAliases = op.insights.length > 1 ? op.insights.length : 0;
  const state = {
    aliasesLeft: 5 - reservedAliases - (deny ? 1 : 0),
    directivesLeft: 8,
    aliasCounter: 0,
    fragmentCounter: 0,
    fragments: [] as string[],
    fieldIndex: 0,
    diagnostics: false,
  };
  const variables: Record<string, unknown> = {};
  const variableDefinitions: string[] = [];
  const directive = (text: string) => {
    if (text === "" || state.directivesLeft <= 0) return "";
    state.directivesLeft -= 1;
    return ` ${text}`;
  };
  const alias = (wanted: boolean) => {
    const index = state.fieldIndex++;
    if (deny && index === deny.at) return `${deny.name}: `;
    if (!wanted || state.aliasesLeft <= 0) return "";
    state.aliasesLeft -= 1;
    return `a${state.aliasCounter++}: `;
  };
  const nodes = (list: Node[]): string => list.map(node).join(" ");
  const node = (n: Node): string => {
    if (n.kind === "field") {
      if (n.diagnostics) state.diagnostics = true;
      const head = `${alias(n.alias)}${n.name}${directive(n.directive)}`;
      return n.children ? `${head} { ${nodes(n.children)} }` : head;
    }
    if (n.kind === "inline")
      return `...${n.on ? ` on ${n.on}` : ""}${directive(n.directive)} { ${nodes(n.children)} }`;
    const name = `F${state.fragmentCounter++}`;
    const body = nodes(n.children);
    state.fragments.push(`fragment ${name} on ${n.on} { ${body} }`);
    return `...${name}${directive(n.directive)}`;
  };
  const filterArgument = (spec: FilterSpec, asVariable: boolean) => {
    const value = filterValue(spec);
    if (!asVariable) return literal(value);
    const name = `f${variableDefinitions.length}`;
    variableDefinitions.push(`$${name}: InsightsFilter!`);
    variables[name] = value;
    return `$${name}`;
  };

  const roots: string[] = [];
  op.insights.forEach((item, index) => {
    const key = op.insights.length > 1 ? `i${index}: ` : "";
    if (op.insights.length <= 1) alias(false);
    else state.fieldIndex++;
    const first = item.first === null ? "" : `, first: ${item.first}`;
    roots.push(
      `${key}insights(filter: ${filterArgument(item.filter, item.asVariable)}${first})${directive(item.directive)} { ${nodes(item.selection)} }`,
    );
  });
  if (op.viewer) roots.push(`${alias(false)}viewer { ${nodes(op.viewer)} }`);
  if (op.statement) roots.push(`${alias(false)}privacyStatement { ${nodes(op.statement)} }`);
  if (op.quote) {
    const [spec, selection, asVariable] = op.quote;
    roots.push(
      `${alias(false)}quoteInsights(filter: ${filterArgument(spec, asVariable)}) { ${nodes(selection)} }`,
    );
  }
  if (op.schemaIntrospection) {
    roots.push(
      `${alias(false)}__schema { ${alias(false)}types { ${alias(false)}name ${alias(false)}fields { ${alias(false)}name } } }`,
    );
  }
  if (op.typeIntrospection) {
    roots.push(
      `${alias(false)}__type(name: "${op.typeIntrospection}") { ${alias(false)}name ${alias(false)}fields { ${alias(false)}name } }`,
    );
  }
  if (op.typename) roots.push(`${alias(false)}__typename`);

  let selection = roots.join(" ");
  if (op.rootWrap === "inline") selection = `... on Query { ${selection} }`;
  if (op.rootWrap === "fragment") {
    state.fragments.push(`fragment Root on Query { ${selection} }`);
    selection = "...Root";
  }
  const header =
    variableDefinitions.length > 0 || op.name !== ""
      ? `query ${op.name}${variableDefinitions.length > 0 ? `(${variableDefinitions.join(", ")})` : ""} `
      : "";
  return {
    query: `${header}{ ${selection} } ${state.fragments.join(" ")}`.trim(),
    variables,
    fieldCount: state.fieldIndex,
    selectsDiagnostics: state.diagnostics && op.insights.length > 0,
  };
}

function withinBuyerTokenLimit(query: string): boolean {
  try {
    parse(query, { maxTokens: 1000 });
    return true;
  } catch {
    return false;
  }
}

/** The checks every buyer response must pass, whatever was asked. */
function expectNothingLeaks(body: GraphQLBody, text: string) {
  const visible = { data: body.data, extensions: body.extensions };
  expect(findDeniedKeys(visible)).toEqual([]);
  expect(allKeys(visible).filter(({ key }) => isDeniedKeyIndependent(key))).toEqual([]);
  expect(allKeys(body).filter(({ key }) => FORBIDDEN_KEYS.has(key))).toEqual([]);
  expect(text).not.toMatch(INTERNAL_TYPE_NAMES);
  expect(text).not.toMatch(SUPPRESSION_CAUSES);
}

const SEED = 20_260_120;

describe("leakage: random valid buyer operations", () => {
  it("the generator knows every field of every buyer output type (and InsightCell.diagnostics is not one)", () => {
    for (const [name, fields] of Object.entries(TYPES)) {
      const type = buyerSchema.getType(name);
      if (!isObjectType(type)) throw new Error(`${name} is not a buyer object type`);
      expect(
        Object.keys(fields)
          .filter((field) => field !== "__typename")
          .sort(),
        name,
      ).toEqual(Object.keys(type.getFields()).sort());
    }
    expect(Object.keys((buyerSchema.getType("InsightCell") as GraphQLObjectType).getFields())).not.toContain(
      "diagnostics",
    );
  });

  it("never return a denied key, a diagnostics value, a suppression cause or an internal type name (200 cases)", async () => {
    let withDiagnostics = 0;
    let withInsights = 0;
    await fc.assert(
      fc.asyncProperty(operationArb, async (op) => {
        const rendered = render(op, null);
        fc.pre(withinBuyerTokenLimit(rendered.query));
        const { status, text, body } = await api.graphql(rendered.query, {
          key: world.buyerKey,
          variables: rendered.variables,
        });
        expect(status).toBe(200);
        expect(body.errors, `${rendered.query}\n${JSON.stringify(body.errors)}`).toBeUndefined();
        expectNothingLeaks(body, text);
        if (op.insights.length > 0) withInsights += 1;
        if (rendered.selectsDiagnostics) {
          withDiagnostics += 1;
          const stripped = (body.extensions as { policy: { strippedFields: string[] } }).policy
            .strippedFields;
          expect(stripped.length).toBeGreaterThan(0);
          // Paths end in the field or the alias it was selected under.
          for (const path of stripped) expect(path).toMatch(/(^|\.)(diagnostics|a\d+)$/);
        }
      }),
      { numRuns: 200, seed: SEED },
    );
    // The generator did exercise what it is meant to.
    expect(withInsights).toBeGreaterThan(100);
    expect(withDiagnostics).toBeGreaterThan(30);
  });

  const denyStyles: Array<(key: string) => string> = [
    (key) => key,
    (key) => key.toUpperCase(),
    (key) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
    (key) => key.replace(/(^|_)([a-z])/g, (_, _s: string, c: string) => c.toUpperCase()),
    (key) => key.replaceAll("_", ""),
    (key) => `_${key}_`,
  ];

  // Operations without an insights selection are the explicit case below.
  it("with a denied key as an alias anywhere in an insights operation, it is refused before execution and nothing leaks (100 cases)", async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        operationArb.filter((op) => op.insights.length > 0),
        fc.constantFrom(...DENIED_KEYS),
        fc.integer({ min: 0, max: denyStyles.length - 1 }),
        fc.nat(),
        async (op, denied, style, at) => {
          const count = render(op, null).fieldCount;
          const name = (denyStyles[style] ?? ((key: string) => key))(denied);
          const rendered = render(op, { at: at % count, name });
          fc.pre(withinBuyerTokenLimit(rendered.query));
          const { text, body } = await api.graphql(rendered.query, {
            key: world.buyerKey,
            variables: rendered.variables,
          });
          expectNothingLeaks(body, text);
          if (codeOf(body) === "FIELD_NOT_ALLOWED") {
            // In the executed document (even under @skip): refused before the charge.
            refused += 1;
            expect(body.data ?? null).toBeNull();
            expect(body.extensions?.policy).toBeUndefined();
          } else {
            // Not placed (the generator ran out of aliases) or on a field the strip step removed.
            expect(
              findDeniedResponseKeys(parse(rendered.query)).length === 0 ||
                /diagnostics/.test(rendered.query),
            ).toBe(true);
            expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
          }
        },
      ),
      { numRuns: 100, seed: SEED + 1 },
    );
    expect(refused).toBeGreaterThan(50);
  });

  it("a denied alias in buyer operations without an insights selection is refused before execution too", async () => {
    for (const query of [
      "{ viewer { message: role } }",
      "{ viewer { privacyBudget { userId: epsilonLimit } } }",
      "{ __schema { types { text: name } } }",
      `{ quoteInsights(filter: { timeBucketStartUtc: "2026-01-01T00:00:00Z", timeBucketEndUtc: "2026-01-02T00:00:00Z" }) { embedding: fingerprint } }`,
    ]) {
      const { body } = await api.graphql(query, { key: world.buyerKey });
      expect(findDeniedKeys({ data: body.data, extensions: body.extensions }), query).toEqual([]);
      expect(codeOf(body), query).toBe("FIELD_NOT_ALLOWED");
      expect(body.data ?? null, query).toBeNull();
    }
  });
});

describe("leakage: trends of previous buckets", () => {
  interface TrendNode {
    timeBucketStartUtc: string;
    geoBucket: { type: string; id: string };
    segment: { doorType: string; category: string; context: string };
    metrics: { uniqueParticipantsEst: number | null; trendScoreEst: number | null };
  }
  const cellKey = (
    geoType: string,
    bucket: string,
    geo: string,
    door: string,
    category: string,
    context: string,
  ) => [geoType, bucket, geo, door, category, context].map((part) => part.toLowerCase()).join("|");
  const previousDay = (bucket: string) =>
    new Date(Date.parse(bucket) - 86_400_000).toISOString().replace(".000", "");

  it("a buyer never sees a trend from a previous bucket it was not charged for, and otherwise the formula (40 random read sequences)", async () => {
    // Every current release and published estimate, as stored (the test's own view, not the API's).
    const rows = await db.query<{
      release_id: string;
      geo_type: string;
      bucket_start: Date;
      geo_bucket_id: string;
      door_type: string;
      category: string;
      context: string;
      estimate: number | null;
    }>(
      `select r.id as release_id, r.geo_type::text as geo_type, r.bucket_start, c.geo_bucket_id,
              c.door_type::text as door_type, c.category::text as category, c.context::text as context,
              c.unique_participants_est as estimate
       from insight_cells c join releases r on r.id = c.release_id where r.current and r.granularity = 'day'`,
    );
    const releaseOf = new Map<string, string>();
    const estimateOf = new Map<string, number | null>();
    for (const row of rows) {
      const bucket = new Date(row.bucket_start).toISOString().replace(".000", "");
      releaseOf.set(`${row.geo_type}|${bucket}`, row.release_id);
      estimateOf.set(
        cellKey(row.geo_type, bucket, row.geo_bucket_id, row.door_type, row.category, row.context),
        row.estimate,
      );
    }

    let run = 0;
    const seen = { withheld: 0, shown: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(filterArb, { minLength: 1, maxLength: 4 }), async (reads) => {
        const partnerId = `outside_buyer_trend_${run++}`;
        const key = await buyerKey(db, world.clock, partnerId);
        for (const spec of reads) {
          const { body } = await api.graphql(
            `query($f: InsightsFilter!) { insights(filter: $f, first: 1000) { nodes {
               timeBucketStartUtc geoBucket { type id } segment { doorType category context }
               metrics { uniqueParticipantsEst trendScoreEst } } } }`,
            { key, variables: { f: filterValue(spec) } },
          );
          expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
          const charged = new Set(
            (
              await db.query<{ release_id: string }>(
                "select release_id from budget_charges where partner_id = $1",
                [partnerId],
              )
            ).map((row) => row.release_id),
          );
          const nodes = (body.data as { insights: { nodes: TrendNode[] } }).insights.nodes;
          for (const node of nodes) {
            const geoType = node.geoBucket.type.toLowerCase();
            const before = previousDay(node.timeBucketStartUtc);
            const previousRelease = releaseOf.get(`${geoType}|${before}`);
            const previousEstimate =
              estimateOf.get(
                cellKey(
                  geoType,
                  before,
                  node.geoBucket.id,
                  node.segment.doorType,
                  node.segment.category,
                  node.segment.context,
                ),
              ) ?? null;
            const paid = previousRelease !== undefined && charged.has(previousRelease);
            const expected = paid ? trendScore(node.metrics.uniqueParticipantsEst, previousEstimate) : null;
            expect(node.metrics.trendScoreEst, JSON.stringify(node)).toBe(expected);
            const wouldHaveTrend = trendScore(node.metrics.uniqueParticipantsEst, previousEstimate) !== null;
            if (wouldHaveTrend && paid) seen.shown++;
            if (wouldHaveTrend && !paid) seen.withheld++;
          }
        }
      }),
      { numRuns: 40, seed: SEED + 2 },
    );
    // Both sides of the rule were exercised.
    expect(seen.withheld).toBeGreaterThan(5);
    expect(seen.shown).toBeGreaterThan(5);
  });
});
