import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { ARMOR_LIMITS, armorRules } from "../../src/policy/armor";
import { buyerSchema } from "../../src/schema/index";

const CELL = `schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours
  geoBucket { type id name } segment { doorType category context }
  metrics { uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst }
  privacy { kMinEnforced suppressed suppressedReason dp { enabled mechanism epsilon delta budgetWindowDays noiseScale releaseId } }`;
const selection = (alias: string) =>
  `${alias}: insights(first: 1000, filter: { timeBucketStartUtc: "2026-01-01T00:00:00Z", timeBucketEndUtc: "2026-01-02T00:00:00Z" }) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ${CELL} } } nodes { ${CELL} } }`;

const errorsOf = (query: string) =>
  validate(buyerSchema, parse(query), armorRules(ARMOR_LIMITS.buyer)).map((e) => e.message);

describe("buyer armor limits", () => {
  it("let the largest legal buyer query through: five aliased full selections of 1,000 cells each", () => {
    const aliases = ["a", "b", "c", "d", "e"];
    expect(errorsOf(`{ ${aliases.map(selection).join(" ")} viewer { role partnerId tenantId } }`)).toEqual(
      [],
    );
  });

  it("refuse a sixth alias, even one named __typename", () => {
    const six = ["a", "b", "c", "d", "e", "__typename"].map(selection).join(" ");
    expect(errorsOf(`{ ${six} }`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Aliases limit of 5 exceeded, found 6/)]),
    );
  });

  it("refuse a document nested deeper than 8", () => {
    const deep =
      "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }";
    expect(errorsOf(deep)).toEqual(
      expect.arrayContaining([expect.stringMatching(/depth limit of 8 exceeded/)]),
    );
  });
});
