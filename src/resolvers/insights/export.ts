import type { Logger } from "pino";
import type { ErrorCode } from "../../errors";
import { readBoundedBody } from "../../http/body";
import { restErrorResponse, restStatusOf } from "../../http/restErrors";
import {
  canonicalRecord,
  csvHeader,
  csvLine,
  DATASET,
  EXPORTED_CELL_SELECTION,
  type ExportedCell,
  jsonLine,
} from "../../insights/exportRecord";
import { MAX_PAGE_SIZE } from "../../insights/insightsFilter";
import type { PolicyReport } from "../../policy/requestState";
import { levelOf, type SegmentDimension } from "../../privacy/releasePlan";
import {
  type ExportFilterVariable,
  type ExportFormat,
  ExportParameterError,
  type ExportParameters,
  parseExportBody,
  parseExportQuery,
} from "./exportParameters";

export const DATASET_EXPORT_PATH = `/v1/datasets/${DATASET}`;
export const MAX_EXPORT_BODY_BYTES = 64 * 1024;
/** What the HTTP front answers other methods with (405, before any key lookup). */
export const DATASET_EXPORT_METHODS = {
  allowed: ["GET", "POST"],
  message: "Use GET with query parameters or POST with a JSON body.",
};

/**
 * The one operation an export runs, page after page, through the app's own GraphQL pipeline: the
 * policy (principal, strip, bounds, fingerprint, budget, output scan, request log) sees an ordinary
 * `insights` query, so the export can never read what that query could not.
 */
const EXPORT_OPERATION = `query Export($filter: InsightsFilter!, $first: Int, $after: String) {
  insights(filter: $filter, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { ${EXPORTED_CELL_SELECTION} } }
  }
}`;

type ExportErrorCode = ErrorCode | "PAYLOAD_TOO_LARGE";

interface ExportError {
  status: number;
  code: ExportErrorCode;
  message: string;
  details: Record<string, unknown>;
  headers: Record<string, string>;
}

const FORMATS: Record<ExportFormat, { contentType: string; header: string; line: typeof jsonLine }> = {
  jsonl: { contentType: "application/x-ndjson; charset=utf-8", header: "", line: jsonLine },
  csv: { contentType: "text/csv; charset=utf-8; header=present", header: csvHeader(), line: csvLine },
};

export interface DatasetExportOptions {
  /** The export request's id, for its log lines; its pages' ids are `<id>.<page>` (assigned by the app). */
  requestId: string;
  logger: Logger;
  /** The export request's own report: given an outcome only when the export refuses before any page runs. */
  report: PolicyReport;
  /** Runs one page's GraphQL request through the app's own pipeline; `index` 0 is the first page. */
  runPage: (page: Request, index: number) => Promise<Response>;
}

interface Page {
  cells: ExportedCell[];
  endCursor: string | null;
  hasNextPage: boolean;
  fingerprint: unknown;
  epsilonCharged: number;
  epsilonRemaining: number | null;
  missingBuckets: string[];
}

/**
 * `GET|POST /v1/datasets/spots_insights_v1`: the cells of one filter, streamed as JSON lines or CSV,
 * one canonical record a line. The first page decides the answer (an error there is a JSON error
 * with its HTTP status); later pages re-read releases already charged, so they must cost nothing.
 */
export async function exportDataset(request: Request, options: DatasetExportOptions): Promise<Response> {
  const parameters = await readParameters(request);
  if ("status" in parameters) {
    options.report.outcomeCode = parameters.code;
    return errorResponse(parameters);
  }

  const authorization = request.headers.get("authorization");
  const fetchPage = (index: number, after: string | null) =>
    runExportPage(request.url, authorization, parameters.filter, after, index, options);

  const first = await fetchPage(0, null).catch((error: unknown): ExportError => {
    options.logger.error({ reqId: options.requestId, err: String(error) }, "dataset export page failed");
    return internalError("The export could not be read; try again.");
  });
  if ("status" in first) return errorResponse(first);

  const format = FORMATS[parameters.format];
  const encoder = new TextEncoder();
  const lines = (cells: ExportedCell[]) => cells.map((cell) => format.line(canonicalRecord(cell))).join("");
  let pending: string | null = format.header + lines(first.cells);
  let after = first.hasNextPage ? first.endCursor : null;
  let index = 1;
  let cells = first.cells.length;
  let cancelled = false;

  const stream = new ReadableStream<Uint8Array>({
    // One page per pull: the stream holds at most the page being sent and the one being read.
    async pull(controller) {
      if (pending !== null) {
        controller.enqueue(encoder.encode(pending));
        pending = null;
      } else if (after !== null) {
        const page = await fetchPage(index, after).catch((error: unknown): ExportError => {
          options.logger.error(
            { reqId: options.requestId, err: String(error) },
            "dataset export page failed",
          );
          return internalError(`Page ${index + 1} could not be read; the export stopped.`);
        });
        if (cancelled) return;
        const stop = (problem: ExportError) => {
          options.logger.error(
            { reqId: options.requestId, page: index + 1, code: problem.code, err: problem.message },
            "dataset export ended early",
          );
          controller.enqueue(encoder.encode(`${JSON.stringify(errorBody(problem))}\n`));
          controller.close();
        };
        if ("status" in page) return stop(page);
        // Later pages re-read the releases the first page charged, under the same shape: free, or a bug.
        if (page.epsilonCharged !== 0) {
          return stop(
            internalError(
              `Page ${index + 1} was charged epsilon ${page.epsilonCharged}; the export stopped.`,
            ),
          );
        }
        if (JSON.stringify(page.fingerprint) !== JSON.stringify(first.fingerprint)) {
          return stop(
            internalError(`Page ${index + 1} counted under another query shape; the export stopped.`),
          );
        }
        controller.enqueue(encoder.encode(lines(page.cells)));
        cells += page.cells.length;
        after = page.hasNextPage ? page.endCursor : null;
        index++;
      }
      if (after === null) {
        options.logger.info({ reqId: options.requestId, pages: index, cells }, "dataset export finished");
        controller.close();
      }
    },
    cancel() {
      cancelled = true;
    },
  });

  const headers = new Headers({
    "content-type": format.contentType,
    "content-disposition": `attachment; filename="${exportFileName(parameters.filter, parameters.format)}"`,
    "cache-control": "no-store",
    "x-policy-epsilon-charged": String(first.epsilonCharged),
  });
  if (first.epsilonRemaining !== null)
    headers.set("x-policy-epsilon-remaining", String(first.epsilonRemaining));
  if (typeof first.fingerprint === "string") headers.set("x-policy-fingerprint", first.fingerprint);
  if (first.missingBuckets.length > 0)
    headers.set("x-policy-missing-buckets", first.missingBuckets.join(","));
  return new Response(stream, { status: 200, headers });
}

async function readParameters(request: Request): Promise<ExportParameters | ExportError> {
  try {
    // The HTTP front admits GET and POST only.
    if (request.method === "GET") return parseExportQuery(new URL(request.url).searchParams);
    const text = await readBoundedBody(request, MAX_EXPORT_BODY_BYTES);
    if (text === null) {
      return exportError("PAYLOAD_TOO_LARGE", `The body is larger than ${MAX_EXPORT_BODY_BYTES} bytes.`, {
        details: { limit: MAX_EXPORT_BODY_BYTES },
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ExportParameterError("The body is not valid JSON; send a JSON object of export parameters.");
    }
    return parseExportBody(body);
  } catch (error) {
    if (error instanceof ExportParameterError) return exportError("BAD_USER_INPUT", error.message);
    throw error;
  }
}

interface PageBody {
  data?: {
    insights?: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: Array<{ node: ExportedCell }>;
    };
  } | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: {
    policy?: {
      fingerprint?: unknown;
      epsilonCharged?: number;
      epsilonRemaining?: number | null;
      missingBuckets?: string[];
    };
  };
}

async function runExportPage(
  exportUrl: string,
  authorization: string | null,
  filter: ExportFilterVariable,
  after: string | null,
  index: number,
  options: DatasetExportOptions,
): Promise<Page | ExportError> {
  // The page's request id (the export's id, a dot, the page number) is assigned in-process by runPage.
  const headers = new Headers({ "content-type": "application/json", accept: "application/json" });
  if (authorization !== null) headers.set("authorization", authorization);
  const page = new Request(new URL("/graphql", exportUrl), {
    method: "POST",
    headers,
    body: JSON.stringify({
      query: EXPORT_OPERATION,
      operationName: "Export",
      variables: { filter, first: MAX_PAGE_SIZE, after },
    }),
  });
  const response = await options.runPage(page, index);
  let body: PageBody;
  try {
    body = (await response.json()) as PageBody;
  } catch {
    return internalError(`Page ${index + 1} answered HTTP ${response.status} without a JSON body.`);
  }
  const [error] = body.errors ?? [];
  if (error !== undefined || !body.data?.insights) {
    const { code, http: _http, ...details } = error?.extensions ?? {};
    // A page's own code when the REST routes map it; otherwise 400 (a rejected request) or 500.
    const known = typeof code === "string" && code !== "INTERNAL_ERROR" && restStatusOf(code) !== undefined;
    return exportError(
      (known ? code : response.status === 400 ? "BAD_USER_INPUT" : "INTERNAL_ERROR") as ExportErrorCode,
      error?.message ?? "The export page returned no data.",
      {
        details,
        headers: retryAfter(response.headers, details),
      },
    );
  }
  const { pageInfo, edges } = body.data.insights;
  const policy = body.extensions?.policy ?? {};
  return {
    cells: edges.map((edge) => edge.node),
    endCursor: pageInfo.endCursor,
    hasNextPage: pageInfo.hasNextPage && pageInfo.endCursor !== null,
    fingerprint: policy.fingerprint ?? null,
    epsilonCharged: policy.epsilonCharged ?? 0,
    epsilonRemaining: policy.epsilonRemaining ?? null,
    missingBuckets: policy.missingBuckets ?? [],
  };
}

function exportFileName(filter: ExportFilterVariable, format: ExportFormat): string {
  const granularity = filter.granularity.toLowerCase();
  // Hours need the time of day; days and weeks read better as dates.
  const stamp = (value: string) => {
    const iso = new Date(value).toISOString();
    return granularity === "hour" ? `${iso.slice(0, 13).replace(":", "")}Z` : iso.slice(0, 10);
  };
  // A breakdown given names its level, so two levels of one range never share a file name.
  const level =
    filter.breakdown === undefined
      ? ""
      : `_${levelOf(filter.breakdown.map((dimension) => dimension.toLowerCase() as SegmentDimension)).replaceAll("+", "-")}`;
  return `${DATASET}_${granularity}_${filter.geoBucketType.toLowerCase()}_${stamp(filter.timeBucketStartUtc)}_${stamp(filter.timeBucketEndUtc)}${level}.${format}`;
}

/** An export error; its status is the REST routes' one mapping of its code. */
function exportError(
  code: ExportErrorCode,
  message: string,
  extra: { details?: Record<string, unknown>; headers?: Record<string, string> } = {},
): ExportError {
  return {
    status: restStatusOf(code) ?? 500,
    code,
    message,
    details: extra.details ?? {},
    headers: extra.headers ?? {},
  };
}

function internalError(message: string): ExportError {
  return exportError("INTERNAL_ERROR", message);
}

function errorBody(error: ExportError) {
  return { error: { code: error.code, message: error.message, ...error.details } };
}

function errorResponse(error: ExportError): Response {
  return restErrorResponse(error.code, error.message, { details: error.details, headers: error.headers });
}

/** The page's retry-after header, or the seconds RATE_LIMITED names in its extensions. */
function retryAfter(headers: Headers, details: Record<string, unknown>): Record<string, string> {
  const seconds = headers.get("retry-after") ?? details.retryAfterSeconds;
  return seconds === null || seconds === undefined ? {} : { "retry-after": String(seconds) };
}
