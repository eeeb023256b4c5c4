import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// ARCHITECTURE.md "Layers import downwards only", kept by reading the import graph of src/:
// every relative `import … from`, `export … from`, side-effect `import "…"` and `import("…")`,
// type-only ones included (a type import still ties a lower layer to a higher one).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = join(ROOT, "src");

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return path === join(SRC, "generated") ? [] : sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']*)["']/g;

function resolveSpecifier(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (candidate.endsWith(".ts") && existsSync(candidate)) return candidate;
  }
  throw new Error(`${relative(ROOT, from)}: cannot resolve import "${specifier}"`);
}

/** The import graph of src/ (generated code left out), as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(SPECIFIER)]
      .map((match) => resolveSpecifier(file, match[1] ?? ""))
      .filter((target) => target.startsWith(SRC) && !target.startsWith(join(SRC, "generated")))
      .map((target) => relative(SRC, target));
    graph.set(relative(SRC, file), [...new Set(targets)].sort());
  }
  return graph;
}

/** Every cycle found by one depth-first walk, each as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      const seen = state.get(target);
      if (seen === "open") found.push([...stack.slice(stack.indexOf(target)), target]);
      else if (seen === undefined) visit(target);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

const inFolder = (folder: string) => (file: string) => file.startsWith(`${folder}/`);
const isFile = (name: string) => (file: string) => file === name;
const anyOf =
  (...tests: ((file: string) => boolean)[]) =>
  (file: string) =>
    tests.some((test) => test(file));
const noneOf =
  (...tests: ((file: string) => boolean)[]) =>
  (file: string) =>
    !tests.some((test) => test(file));

/** The layers under schema/: the work behind fields and everything it stands on. */
const belowSchema = anyOf(
  inFolder("resolvers"),
  inFolder("policy"),
  inFolder("privacy"),
  inFolder("jobs"),
  inFolder("audit"),
  inFolder("insights"),
  inFolder("db"),
  isFile("errors.ts"),
  isFile("clock.ts"),
  isFile("config.ts"),
);

interface Rule {
  name: string;
  from: (file: string) => boolean;
  to: (file: string) => boolean;
}

const RULES: Rule[] = [
  {
    name: "policy/, privacy/, jobs/, audit/ and insights/ never import resolvers/",
    from: anyOf(
      inFolder("policy"),
      inFolder("privacy"),
      inFolder("jobs"),
      inFolder("audit"),
      inFolder("insights"),
    ),
    to: inFolder("resolvers"),
  },
  { name: "nothing below schema/ imports schema/", from: belowSchema, to: inFolder("schema") },
  {
    name: "insights/ (read by policy/ and jobs/) imports neither",
    from: inFolder("insights"),
    to: anyOf(inFolder("policy"), inFolder("jobs")),
  },
  { name: "config.ts imports nothing of the app", from: isFile("config.ts"), to: () => true },
  {
    // The demo seeding is a front like the server and the command line: what it needs lives below it.
    name: "only server.ts and cli/ import demo/ (nothing below schema/ does)",
    from: noneOf(isFile("server.ts"), inFolder("cli"), inFolder("demo")),
    to: inFolder("demo"),
  },
  {
    name: "nothing outside cli/ imports cli/ (server.ts and demo/ included)",
    from: noneOf(inFolder("cli")),
    to: inFolder("cli"),
  },
  {
    name: "only cli/ and demo/ import client/ (the typed ops client and the progress reporter)",
    from: noneOf(inFolder("cli"), inFolder("demo"), inFolder("client")),
    to: inFolder("client"),
  },
];

/**
 * Edges that break a rule and are kept for now, each with its reason. An entry here is a debt,
 * not a permission: the test fails when one disappears, so the list only ever shrinks.
 */
const ALLOWED: { from: string; to: string; reason: string }[] = [];

const graph = importGraph();

describe("the import graph of src/", () => {
  it("reads the whole tree (a sanity check on the parser)", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("app.ts")).toContain("schema/index.ts");
  });

  for (const rule of RULES) {
    it(`keeps the layer rule: ${rule.name}`, () => {
      const violations = [...graph]
        .filter(([from]) => rule.from(from))
        .flatMap(([from, targets]) => targets.filter(rule.to).map((to) => `${from} -> ${to}`))
        .filter((edge) => !ALLOWED.some(({ from, to }) => edge === `${from} -> ${to}`));
      expect(violations, violations.join("\n")).toEqual([]);
    });
  }

  it("has no entry on the allow-list that the tree no longer needs", () => {
    const stale = ALLOWED.filter(({ from, to }) => !graph.get(from)?.includes(to));
    expect(stale.map(({ from, to }) => `${from} -> ${to}`)).toEqual([]);
  });

  it("keeps privacy/ free of file I/O: no module of it imports node:fs", () => {
    // The demo's generated noise key is read and written by demo/demoNoiseKey.ts, at start.
    const fileSystem = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](?:node:)?fs(?:\/promises)?["']/;
    const writers = [...graph.keys()]
      .filter(inFolder("privacy"))
      .filter((file) => fileSystem.test(readFileSync(join(SRC, file), "utf8")));
    expect(writers).toEqual([]);
  });

  it("has no import cycle", () => {
    const found = cycles(graph).map((cycle) => cycle.join(" -> "));
    expect(found, `import cycles:\n${found.join("\n")}`).toEqual([]);
  });
});
