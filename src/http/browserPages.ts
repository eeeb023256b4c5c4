import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { GraphiQLOptions, Plugin } from "graphql-yoga";

/**
 * The pages a browser loads: GraphiQL at the GraphQL endpoint and the operator console at /console.
 * Everything they run comes from this server (no CDN): GraphiQL from the installed
 * @graphql-yoga/render-graphiql bundle, the console from its Vite build. Static files carry no data
 * and need no key, so they are answered before the HTTP front (no request id, no log row); the pages
 * then call /graphql with the key the user pastes.
 */

export const CONSOLE_PATH = "/console";
export const GRAPHIQL_ASSETS_PATH = "/graphiql";
/** The console's Vite build, written by `npm install` (postinstall) or `npm run build:console`. */
export const DEFAULT_CONSOLE_DIR = path.resolve(import.meta.dirname, "../../console/dist");

const COMMON_DIRECTIVES = [
  "default-src 'none'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

/** The console: only this origin's scripts and styles, nothing inline. */
export const CONSOLE_CSP = [...COMMON_DIRECTIVES, "script-src 'self'", "style-src 'self'"].join("; ");

/**
 * GraphiQL: scripts and editor workers from this origin only (the bundle and its workers are served
 * as files, never inline or as blob: URLs). Styles also allow 'unsafe-inline': the Monaco editor and
 * GraphiQL's components set style attributes and insert <style> elements at run time (colours,
 * layout, the editor's measured lines); an inline style cannot run code.
 */
export const GRAPHIQL_CSP = [
  ...COMMON_DIRECTIVES,
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
].join("; ");

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** GraphiQL's page: the options as inert JSON, the bundle and its start-up as same-origin scripts. */
export function renderLocalGraphiQL(options: GraphiQLOptions): string {
  // In a JSON data block only "<" could end the element early; \u003c reads the same to JSON.parse.
  const json = JSON.stringify(options).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(options.title ?? "GraphiQL")}</title>
    <link rel="icon" href="${GRAPHIQL_ASSETS_PATH}/favicon.ico" />
    <link rel="stylesheet" href="${GRAPHIQL_ASSETS_PATH}/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${json}</script>
    <script src="${GRAPHIQL_ASSETS_PATH}/graphiql.js"></script>
  </body>
</html>
`;
}

interface Asset {
  body: string | Uint8Array;
  type: string;
}

type GraphiqlBundle = typeof import("@graphql-yoga/render-graphiql/graphiql");

const WORKERS = {
  editorWorkerService: "editor.worker.js",
  json: "json.worker.js",
  graphql: "graphql.worker.js",
} as const;

/** GraphiQL's files, built once from the installed bundle on the first request for one (about 9 MB). */
let graphiqlAssets: Promise<Map<string, Asset>> | undefined;
function loadGraphiqlAssets(): Promise<Map<string, Asset>> {
  graphiqlAssets ??= import("@graphql-yoga/render-graphiql/graphiql").then((bundle: GraphiqlBundle) => {
    const workerUrls = Object.fromEntries(
      Object.entries(WORKERS).map(([label, file]) => [label, `${GRAPHIQL_ASSETS_PATH}/${file}`]),
    );
    // What the package's own page runs inline, as one same-origin script: Monaco's worker URLs, the
    // bundle, then the render call with the options the page carries as JSON.
    const script = `self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (_moduleId, label) {
  var urls = ${JSON.stringify(workerUrls)};
  return urls[label] || urls.editorWorkerService;
} };
${bundle.js};
YogaGraphiQL.renderYogaGraphiQL(
  document.querySelector("#root"),
  JSON.parse(document.getElementById("graphiql-options").textContent || "{}"),
);
`;
    const favicon = Buffer.from(bundle.favicon.slice(bundle.favicon.indexOf(",") + 1), "base64");
    return new Map<string, Asset>([
      ["graphiql.js", { body: script, type: CONTENT_TYPES[".js"]! }],
      ["graphiql.css", { body: bundle.css, type: CONTENT_TYPES[".css"]! }],
      ["favicon.ico", { body: new Uint8Array(favicon), type: CONTENT_TYPES[".ico"]! }],
      [WORKERS.editorWorkerService, { body: bundle.editorWorkerService, type: CONTENT_TYPES[".js"]! }],
      [WORKERS.json, { body: bundle.jsonWorker, type: CONTENT_TYPES[".js"]! }],
      [WORKERS.graphql, { body: bundle.graphqlWorker, type: CONTENT_TYPES[".js"]! }],
    ]);
  });
  return graphiqlAssets;
}

export interface BrowserPagesOptions {
  /** The GraphQL endpoint, whose HTML answer (GraphiQL) gets GRAPHIQL_CSP. */
  graphqlPath: string;
  /** The console's built files (index.html and assets/). */
  consoleDir: string;
}

/** Serves /console and /graphiql/* before any other plugin, and sets the pages' security headers. */
export function browserPagesPlugin(options: BrowserPagesOptions): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      const pathname = url.pathname;
      const isConsole = pathname === CONSOLE_PATH || pathname.startsWith(`${CONSOLE_PATH}/`);
      const isGraphiql = pathname.startsWith(`${GRAPHIQL_ASSETS_PATH}/`);
      if (!isConsole && !isGraphiql) return;
      if (request.method !== "GET" && request.method !== "HEAD") {
        endResponse(
          new Response("Only GET and HEAD.\n", {
            status: 405,
            headers: { allow: "GET, HEAD", "content-type": CONTENT_TYPES[".txt"]!, ...SECURITY_HEADERS },
          }),
        );
        return;
      }
      const answer = isConsole
        ? consoleFile(options.consoleDir, pathname.slice(CONSOLE_PATH.length))
        : graphiqlFile(pathname.slice(GRAPHIQL_ASSETS_PATH.length + 1));
      return answer.then((response) => {
        endResponse(request.method === "HEAD" ? new Response(null, response) : response);
      });
    },
    onResponse({ request, response }) {
      if (new URL(request.url).pathname !== options.graphqlPath) return;
      if (!(response.headers.get("content-type") ?? "").startsWith("text/html")) return;
      response.headers.set("content-security-policy", GRAPHIQL_CSP);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
    },
  };
}

async function graphiqlFile(name: string): Promise<Response> {
  const asset = (await loadGraphiqlAssets()).get(name);
  if (asset === undefined) return notFound(GRAPHIQL_CSP);
  return new Response(typeof asset.body === "string" ? asset.body : Buffer.from(asset.body), {
    headers: {
      "content-type": asset.type,
      "cache-control": "public, max-age=3600",
      "content-security-policy": GRAPHIQL_CSP,
      ...SECURITY_HEADERS,
    },
  });
}

async function consoleFile(dir: string, rest: string): Promise<Response> {
  const indexFile = path.join(dir, "index.html");
  if (!(await isFile(indexFile))) {
    return new Response(
      "The console is not built. Run `npm install` (with dev dependencies: it builds the console) " +
        "or `npm run build:console`, then reload.\n",
      {
        status: 503,
        headers: { "content-type": CONTENT_TYPES[".txt"]!, "content-security-policy": CONSOLE_CSP },
      },
    );
  }
  // Only names Vite writes: no "..", no hidden files, nothing outside the build folder.
  const relative = rest.replace(/^\/+/, "");
  let file = indexFile;
  let immutable = false;
  if (relative !== "" && relative !== "index.html") {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._/-]*$/.test(relative) || relative.split("/").some((p) => p === "..")) {
      return notFound(CONSOLE_CSP);
    }
    const candidate = path.join(dir, relative);
    if (!candidate.startsWith(dir + path.sep) || !(await isFile(candidate))) return notFound(CONSOLE_CSP);
    file = candidate;
    // Vite names built assets by content hash: they never change under the same name.
    immutable = relative.startsWith("assets/");
  }
  const body = await readFile(file);
  return new Response(new Uint8Array(body), {
    headers: {
      "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "content-security-policy": CONSOLE_CSP,
      ...SECURITY_HEADERS,
    },
  });
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() === true;
}

function notFound(csp: string): Response {
  return new Response("Not found.\n", {
    status: 404,
    headers: { "content-type": CONTENT_TYPES[".txt"]!, "content-security-policy": csp, ...SECURITY_HEADERS },
  });
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );
}
