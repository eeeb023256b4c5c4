import { type GraphQLSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { businessSchema, buyerSchema, schema } from "../../src/schema/index";

/** Every type, field, argument, input field and enum value without a description. */
function undescribed(target: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(target.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (!type.description) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args)
          if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        if (!field.description) missing.push(`${type.name}.${field.name}`);
    }
    if (isEnumType(type)) {
      for (const value of type.getValues())
        if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}

describe("schema descriptions (CONTRACT.md: every type, field, argument and enum value)", () => {
  it("the whole schema describes everything, connections' edges and page info included", () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it("so does the buyer schema", () => {
    expect(undescribed(buyerSchema)).toEqual([]);
  });

  it("and the business schema", () => {
    expect(undescribed(businessSchema)).toEqual([]);
  });
});
