import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_DOCS } from "../../src/config";
import { TIMING_POLICIES } from "../../src/db/timingPolicyRegistry";

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

// The walk-throughs name files and the symbols in them; a rename that forgets the README fails here.
const ROOT = new URL("../../", import.meta.url);
const sourceOf = (path: string) => readFileSync(new URL(path, ROOT), "utf8");

describe("README walk-throughs and layout", () => {
  it("names only files that exist", () => {
    const paths = [...readme.matchAll(/`((?:src|test|bench|console|docs)\/[\w./-]+\.(?:ts|tsx|md))`/g)].map(
      (match) => match[1] ?? "",
    );
    expect(paths.length).toBeGreaterThan(40);
    const missing = paths.filter((path) => {
      try {
        sourceOf(path);
        return false;
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
  });

  it("names symbols that are in the files it says", () => {
    // `symbol` in `src/file.ts`, and (`src/file.ts`, `Symbol`)
    const pairs = [
      ...[...readme.matchAll(/`(\w+)(?:\.\w+)?` in\s+`(src\/[\w./-]+\.ts)`/g)].map((m) => [m[1], m[2]]),
      ...[...readme.matchAll(/\(`(src\/[\w./-]+\.ts)`,\s+`(\w+)(?:\.\w+)?`/g)].map((m) => [m[2], m[1]]),
    ] as [string, string][];
    expect(pairs.length).toBeGreaterThan(15);
    const wrong = pairs.filter(([symbol, path]) => !new RegExp(`\\b${symbol}\\b`).test(sourceOf(path)));
    expect(wrong.map(([symbol, path]) => `${symbol} in ${path}`)).toEqual([]);
  });

  it("lays out every folder of src/", () => {
    const layout = readme.slice(readme.indexOf("## Layout"));
    const folders = readdirSync(new URL("src/", ROOT), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const unlisted = folders.filter((name) => !new RegExp(`^  ${name}/`, "m").test(layout));
    expect(unlisted).toEqual([]);
    const listed = [...layout.matchAll(/^ {2}(\w+)\/ /gm)].map((m) => m[1]);
    expect(listed.filter((name) => !folders.includes(name ?? ""))).toEqual([]);
  });

  it("links only to headings it has", () => {
    const slug = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, "")
        .replace(/ /g, "-");
    const headings = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1] ?? "")));
    const anchors = [...readme.matchAll(/\]\(#([\w-]+)\)/g)].map((m) => m[1] ?? "");
    expect(anchors.length).toBeGreaterThan(8);
    expect(anchors.filter((anchor) => !headings.has(anchor))).toEqual([]);
  });

  it("lists every timing policy with its default cron", () => {
    for (const [key, policy] of Object.entries(TIMING_POLICIES)) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${key}\` |`));
      expect(row, key).toBeDefined();
      const payload = policy.defaultPayload as { cron?: string };
      if (payload.cron !== undefined) expect(row, key).toContain(`\`${payload.cron}\``);
    }
  });
});
