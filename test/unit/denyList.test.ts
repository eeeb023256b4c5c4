import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { findDeniedKeys, findDeniedResponseKeys } from "../../src/policy/denyList";

describe("the output scan", () => {
  it("finds a denied key at any depth and in any case style, with its path", () => {
    const response = {
      data: {
        insights: {
          nodes: [
            { dataset: "spots_insights_v1", userId: "u1" },
            { segment: { Device_ID: "d1", category: "COFFEE" }, metrics: [{ TEXT: "hi" }] },
          ],
        },
      },
      extensions: { policy: { strippedFields: [] } },
    };
    expect(findDeniedKeys(response)).toEqual([
      "data.insights.nodes[0].userId",
      "data.insights.nodes[1].segment.Device_ID",
      "data.insights.nodes[1].metrics[0].TEXT",
    ]);
    expect(findDeniedKeys([{ ip_address: 1 }], "rows")).toEqual(["rows[0].ip_address"]);
  });

  it("finds nothing in a response without denied keys, and looks at keys only", () => {
    expect(findDeniedKeys({ data: { a: [{ b: "user_id", c: ["latitude"] }], d: null } })).toEqual([]);
    expect(findDeniedKeys("user_id")).toEqual([]);
  });

  it("names the denied response keys of a document, aliases included, once each", () => {
    const document = parse(
      "{ insights { userId: totalCount nodes { device_id: dataset dataset } userId: totalCount } }",
    );
    expect(findDeniedResponseKeys(document)).toEqual(["userId", "device_id"]);
  });
});
