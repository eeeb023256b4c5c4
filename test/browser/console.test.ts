// The operator console and GraphiQL in a real browser (Debian's Chromium driven by playwright-core),
// against the app on a real port, over a small demo world (the demo generator and the simulated
// fortnight of API use at 5% scale). Every request to anything but this server is blocked and fails
// the test; so does any Content-Security-Policy violation or page error.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import pino from "pino";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { systemClock } from "../../src/clock";
import { configFrom } from "../../src/config";
import { runDemoActivity } from "../../src/demo/demoActivity";
import { type DemoKey, ensureDemoKeys } from "../../src/demo/demoKeys";
import { precomputeDemoWindow, runDemoData } from "../../src/demo/runDemoData";
import { issueTestKey } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { runScript } from "../support/processes";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ARTIFACTS = path.join(ROOT, "test/artifacts");
const CHROMIUM = "/usr/bin/chromium";
const config = configFrom({ DEMO_DAYS: "30", DEMO_SCALE: "0.05", DEMO_SEED: "7", LOG_LEVEL: "info" });
const sink = () => Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;

let db: TestDatabase;
let server: Server;
let browser: Browser;
let origin: string;
let work: string;
let keys: Record<"operator" | "internal" | "buyer" | "tenant", string>;
/** Every line the app's pino logger wrote. */
const logLines: string[] = [];
/** Requests the browser tried to send anywhere but this server (all blocked). */
const blocked: string[] = [];
/** CSP violations and uncaught page errors. */
const pageProblems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), "console-test-"));
  // The console as its sources are now, built into a folder of this test's own.
  const consoleDir = path.join(work, "console");
  const built = runScript("console/build.ts", [consoleDir], {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
  });

  db = await createTestDatabase();
  await runDemoData(db, config, systemClock, sink());
  await precomputeDemoWindow(
    { database: db, noiseKey: { key: Buffer.alloc(32, 7), id: "nk_console" }, clock: systemClock },
    sink(),
  );
  const demoKeys: DemoKey[] = await ensureDemoKeys(db, systemClock, work);
  await runDemoActivity(db, config, systemClock, demoKeys, new PassThrough());
  const keyOf = (role: string) => demoKeys.find((key) => key.role === role)?.apiKey ?? "";
  keys = {
    operator: keyOf("operator"),
    internal: keyOf("internal"),
    buyer: keyOf("buyer"),
    tenant: (await issueTestKey(db, "tenant")).apiKey,
  };
  expect(Object.values(keys).every((key) => key.length > 20)).toBe(true);

  const build = await built;
  expect(build.code, build.stderr).toBe(0);

  const logStream = new PassThrough();
  logStream.on("data", (chunk: Buffer) => logLines.push(...chunk.toString().split("\n").filter(Boolean)));
  const app = createApp({
    database: db,
    config,
    clock: systemClock,
    logger: pino({ level: "info" }, logStream),
    consoleDir,
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // launch() gives the browser a fresh temporary profile (user-data dir), deleted on close.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  await db?.destroy();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** A fresh browser context (its own storage) that lets only this server's origin through. */
async function openPage(
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, serviceWorkers: "block" });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) pageProblems.push(`CSP: ${message.text()}`);
  });
  page.on("pageerror", (error) => pageProblems.push(`page error: ${error.message}`));
  return { context, page };
}

async function signIn(page: Page, key: string) {
  await page.goto(`${origin}/console/`);
  const input = page.getByLabel("API key (INTERNAL or OPERATOR)");
  await input.fill(key);
  await input.press("Enter");
}

/** Everything the page keeps: its URL, local storage and session storage. */
async function pageStorage(page: Page) {
  return {
    url: page.url(),
    local: await page.evaluate(() => JSON.stringify({ ...localStorage })),
    session: await page.evaluate(() => JSON.stringify({ ...sessionStorage })),
  };
}

describe("GraphiQL, served by the server itself", () => {
  it("loads at /graphql with no CDN and runs { viewer { role } } with a key header", async () => {
    const { context, page } = await openPage();
    const response = await page.goto(`${origin}/graphql?query=${encodeURIComponent("{ viewer { role } }")}`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.locator(".graphiql-container").first().waitFor({ timeout: 30_000 });
    // The headers editor: replace its content with the key header.
    await page.getByText("Headers", { exact: true }).click();
    const headers = page.locator(".graphiql-editor-tool .graphiql-editor").last();
    await headers.click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${keys.operator}` }));
    await page.locator(".graphiql-execute-button").click();
    await expect
      .poll(async () => page.locator(".graphiql-response").innerText(), { timeout: 20_000 })
      .toMatch(/"role":\s*"OPERATOR"/);
    await page.screenshot({ path: path.join(ARTIFACTS, "graphiql.png") });
    await context.close();
  });
});

describe("the operator console", () => {
  it("tells a BUYER or TENANT key plainly that the console is not for it, and keeps nothing", async () => {
    const { context, page } = await openPage();
    await signIn(page, keys.buyer);
    await expect
      .poll(() => page.getByRole("alert").innerText())
      .toContain("The console is not for BUYER keys.");
    await page.screenshot({ path: path.join(ARTIFACTS, "console-refused-buyer.png") });
    const stored = await pageStorage(page);
    expect(stored.session).toBe("{}");
    expect(stored.url).toBe(`${origin}/console/`);
    await signIn(page, keys.tenant);
    await expect
      .poll(() => page.getByRole("alert").innerText())
      .toContain("The console is not for TENANT keys.");
    await context.close();
  });

  it("signs in with the operator key and shows every view with the demo's data", async () => {
    const { context, page } = await openPage();
    await signIn(page, keys.operator);
    await expect.poll(() => page.getByTestId("role").innerText()).toBe("OPERATOR");

    const views: Array<{ link: string; hash: string; expect: (page: Page) => Promise<void> }> = [
      {
        link: "Anomalies",
        hash: "anomalies",
        expect: async () => {
          await page.getByRole("table", { name: /By type and severity/ }).waitFor();
          await page.getByRole("table", { name: /^ERROR \(\d+\)/ }).waitFor();
          // The bounded excerpt is shown; the raw payload is never asked for.
          expect(await page.locator("code.excerpt").count()).toBeGreaterThan(0);
        },
      },
      {
        link: "Budgets",
        hash: "budgets",
        expect: async () => {
          await page.getByRole("table", { name: "Budgets in the current window" }).waitFor();
          for (const buyer of ["outside_buyer_demo", "outside_buyer_acme", "outside_buyer_globex"]) {
            await page.getByRole("meter", { name: `${buyer}: epsilon spent of its limit` }).waitFor();
          }
          await page.locator("figure.chart canvas").first().waitFor();
          expect(await page.locator("figure.chart").innerText()).toContain("outside_buyer_globex");
          // Sorting: the header buttons order the rows (the demo BUYER key has the largest limit, 60).
          const budgets = page.getByRole("table", { name: "Budgets in the current window" });
          await budgets.getByRole("button", { name: "ε limit" }).click();
          expect(await budgets.locator("tbody tr").first().innerText()).toMatch(/^outside_buyer_demo\s+60\b/);
          await budgets.getByRole("button", { name: /ε limit/ }).click();
          expect(await budgets.locator("tbody tr").first().innerText()).toMatch(
            /^outside_buyer_globex\s+12\b/,
          );
        },
      },
      {
        link: "Privacy",
        hash: "privacy",
        expect: async () => {
          await page.getByRole("figure", { name: /Participant-day ledger/ }).waitFor();
          await page.locator("figure.chart canvas").first().waitFor();
          const families = page.getByRole("table", { name: /The plan's families/ });
          await families.waitFor();
          expect(await families.innerText()).toContain("CITY_CODE");
        },
      },
      {
        link: "Freshness & jobs",
        hash: "freshness",
        expect: async () => {
          const freshness = page.getByRole("table", { name: "Newest released bucket per granularity" });
          await freshness.waitFor();
          expect(await freshness.innerText()).toMatch(/DAY\s+\d{4}-\d{2}-\d{2} 00:00 UTC/);
          const jobs = page.getByRole("table", { name: "Jobs: last run and outcome" });
          expect(await jobs.innerText()).toContain("precompute");
        },
      },
      {
        link: "Feed & actions",
        hash: "feed",
        expect: async () => {
          await page.locator("[data-action-id]").first().waitFor();
          expect(await page.locator("[data-action-id]").first().innerText()).toContain(
            "outside_buyer_globex",
          );
          const feed = page.getByRole("table", { name: /Feed items/ });
          expect(await feed.innerText()).toContain("buyer_fingerprint_growth");
        },
      },
      {
        link: "Requests",
        hash: "requests",
        expect: async () => {
          await page.getByRole("figure", { name: /Buyer requests per UTC day by outcome code/ }).waitFor();
          const shapes = page.getByRole("table", { name: /Distinct query shapes per buyer per day/ });
          await shapes.waitFor();
          expect(await shapes.innerText()).toMatch(/outside_buyer_globex\s+30\s+15/);
        },
      },
    ];
    for (const view of views) {
      await page.getByRole("link", { name: view.link }).click();
      await expect.poll(() => page.url()).toBe(`${origin}/console/#${view.hash}`);
      await view.expect(page);
      await page.screenshot({ path: path.join(ARTIFACTS, `console-${view.hash}.png`), fullPage: true });
    }

    // On a phone the page reflows: nothing wider than the screen but the tables' own scroll boxes.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("link", { name: "Budgets" }).click();
    await page.getByRole("table", { name: "Budgets in the current window" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "console-budgets-phone.png"), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const stored = await pageStorage(page);
    expect(stored.url).not.toContain(keys.operator);
    expect(stored.local).not.toContain(keys.operator);
    expect(stored.session).toContain(keys.operator);
    await context.close();
  });

  it("approves a pending action as OPERATOR: its status changes in the page and in the ledger", async () => {
    const [pending] = await db.query<{ id: string; target: string }>(
      "select id::text as id, target from action_ledger where approval_status = 'PENDING' order by created_at limit 1",
    );
    expect(pending?.target).toBe("outside_buyer_globex");
    const { context, page } = await openPage();
    await signIn(page, keys.operator);
    await page.getByTestId("role").waitFor();
    await page.getByRole("link", { name: "Feed & actions" }).click();
    const card = page.locator(`[data-action-id="${pending?.id}"]`);
    await card.getByTestId("action-status").waitFor();
    expect(await card.getByTestId("action-status").innerText()).toBe("PENDING");
    await card.getByLabel("Reason for the decision").fill("probing shapes past its quota (browser test)");
    await card.getByRole("button", { name: "Approve" }).click();
    await expect
      .poll(() => page.getByRole("status").first().innerText())
      .toMatch(/^Approved revoke_buyer_keys/);
    await card.waitFor({ state: "detached" });
    const decided = page.getByRole("table", { name: "Decided actions, newest first" });
    expect(await decided.innerText()).toMatch(/outside_buyer_globex\s+APPROVED\s+EXECUTED/);
    await page.screenshot({ path: path.join(ARTIFACTS, "console-feed-approved.png"), fullPage: true });
    // Acknowledging a feed item takes it out of the NEW list.
    const feed = page.getByRole("table", { name: /Feed items/ });
    const newItems = await feed.locator("tbody tr").count();
    const first = feed.locator("tbody tr").first();
    const title = await first.locator("td").nth(1).innerText();
    await first.getByRole("button", { name: "Mark read" }).click();
    await expect.poll(() => page.getByRole("status").first().innerText()).toBe(`Marked "${title}" read.`);
    await expect.poll(() => feed.locator("tbody tr").count()).toBe(newItems - 1);
    const [after] = await db.query<{ approval_status: string; status: string }>(
      "select approval_status, status from action_ledger where id = $1",
      [pending?.id],
    );
    expect(after).toEqual({ approval_status: "APPROVED", status: "executed" });
    await context.close();
  });

  it("shows an INTERNAL key the actions without approve or reject buttons", async () => {
    const { context, page } = await openPage();
    await signIn(page, keys.internal);
    await expect.poll(() => page.getByTestId("role").innerText()).toBe("INTERNAL");
    await page.getByRole("link", { name: "Feed & actions" }).click();
    await page.getByRole("heading", { name: "Pending actions" }).waitFor();
    await page.getByText("Only an OPERATOR key may approve or reject").waitFor();
    expect(await page.getByRole("button", { name: /^(Approve|Reject|Mark read|Archive)$/ }).count()).toBe(0);
    await context.close();
  });

  it("never let a key into a log line, never sent anything off this server, no CSP violation", () => {
    // The capture works: the console's requests are in it, with the key's prefix only.
    expect(
      logLines.some((line) => line.includes('"path":"/graphql"') && line.includes('"role":"operator"')),
    ).toBe(true);
    for (const key of Object.values(keys)) {
      expect(logLines.filter((line) => line.includes(key))).toEqual([]);
      // Nor the secret part on its own (a prefix is logged, the rest never).
      expect(logLines.filter((line) => line.includes(key.slice(-16)))).toEqual([]);
    }
    expect(blocked).toEqual([]);
    expect(pageProblems).toEqual([]);
  });
});
