import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_DOCS } from "../../src/config";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const scripts = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

describe("README", () => {
  it("documents every environment variable with its real default", () => {
    for (const [name, { default: defaultValue }] of Object.entries(ENV_DOCS)) {
      const shown = defaultValue.startsWith("(") ? defaultValue : `\`${defaultValue}\``;
      expect(readme).toContain(`| \`${name}\` | ${shown} |`);
    }
  });

  it("documents every npm script", () => {
    for (const name of Object.keys(scripts)) {
      if (name === "format" || name === "cli") continue;
      expect(readme).toContain(`npm ${name === "start" || name === "test" ? name : `run ${name}`}`);
    }
  });
});
