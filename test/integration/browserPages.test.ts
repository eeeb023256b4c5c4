// GraphiQL and the console's static files through app.fetch(): served from this server only, with
// their Content-Security-Policy, and nothing outside the console's build folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { configFrom } from "../../src/config";
import { CONSOLE_CSP, GRAPHIQL_CSP } from "../../src/http/browserPages";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
let built: string;
let missing: string;

beforeAll(async () => {
  db = await createTestDatabase();
  built = mkdtempSync(path.join(tmpdir(), "console-dist-"));
  mkdirSync(path.join(built, "assets"));
  writeFileSync(path.join(built, "index.html"), "<!doctype html><title>console</title>");
  writeFileSync(path.join(built, "assets/index-abc123.js"), "console.log(1)");
  missing = path.join(built, "not-here");
});
afterAll(async () => {
  await db?.destroy();
  rmSync(built, { recursive: true, force: true });
});

function app(consoleDir: string) {
  return createApp({
    database: db,
    config: configFrom({ LOG_LEVEL: "silent" }),
    logger: pino({ level: "silent" }),
    consoleDir,
  });
}

describe("GraphiQL without a CDN", () => {
  it("is a page whose scripts and styles all come from this server, under a CSP of this origin only", async () => {
    const response = await app(built).fetch("http://yoga/graphql", { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(GRAPHIQL_CSP);
    expect(GRAPHIQL_CSP).toMatch(/default-src 'none'/);
    expect(GRAPHIQL_CSP).toMatch(/script-src 'self'(;|$)/);
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect([...html.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1])).toEqual([
      "/graphiql/graphiql.js",
    ]);
    // The one inline <script> is inert JSON (the options), which a CSP does not have to allow.
    expect([...html.matchAll(/<script(?: [^>]*)?>/g)].map((match) => match[0])).toEqual([
      '<script type="application/json" id="graphiql-options">',
      '<script src="/graphiql/graphiql.js">',
    ]);
  });

  it("serves the bundle, stylesheet and editor workers from the installed package; nothing loads from a CDN", async () => {
    const yoga = app(built);
    for (const [file, type] of [
      ["graphiql.js", "text/javascript"],
      ["graphiql.css", "text/css"],
      ["editor.worker.js", "text/javascript"],
      ["json.worker.js", "text/javascript"],
      ["graphql.worker.js", "text/javascript"],
      ["favicon.ico", "image/x-icon"],
    ]) {
      const response = await yoga.fetch(`http://yoga/graphiql/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get("content-type")).toContain(type);
      expect(response.headers.get("content-security-policy")).toBe(GRAPHIQL_CSP);
      const body = await response.text();
      expect(body, file).not.toMatch(/unpkg\.com|jsdelivr\.net|cdnjs/);
    }
    expect((await yoga.fetch("http://yoga/graphiql/other.js")).status).toBe(404);
  });
});

describe("/console", () => {
  it("serves the build's index and hashed assets with the console's CSP", async () => {
    const yoga = app(built);
    for (const url of ["http://yoga/console", "http://yoga/console/", "http://yoga/console/index.html"]) {
      const response = await yoga.fetch(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(await response.text()).toContain("<title>console</title>");
    }
    expect(CONSOLE_CSP).toMatch(/script-src 'self'; style-src 'self'$/);
    const asset = await yoga.fetch("http://yoga/console/assets/index-abc123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(await asset.text()).toBe("console.log(1)");
  });

  it("answers nothing outside the build folder, and only GET and HEAD", async () => {
    const yoga = app(built);
    for (const rest of [
      "assets/missing.js",
      "..%2Fpackage.json",
      "assets/..%2F..%2Fetc",
      ".hidden",
      "a//b",
    ]) {
      expect((await yoga.fetch(`http://yoga/console/${rest}`)).status, rest).toBe(404);
    }
    const post = await yoga.fetch("http://yoga/console/", { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await yoga.fetch("http://yoga/console/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("says how to build the console when it is not built", async () => {
    const response = await app(missing).fetch("http://yoga/console/");
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("npm run build:console");
  });
});
