import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

/** Where the ops command line sends its requests, and with which key. */
export interface OpsEndpoint {
  url: string;
  key: string;
  /** Another transport, e.g. an app's own fetch (the demo's simulated clients); default: the network. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** A request the server refused or could not answer: its error code and message. */
export class OpsRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** POSTs one generated typed document and returns its data; a GraphQL error throws its code and message. */
export async function execute<TResult, TVariables>(
  endpoint: OpsEndpoint,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await (endpoint.fetch ?? fetch)(endpoint.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${endpoint.key}` },
    body: JSON.stringify({ query: print(document), variables }),
  }).catch((error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    throw new OpsRequestError("UNREACHABLE", `could not reach ${endpoint.url}${cause}`);
  });
  const body = (await response.json().catch(() => null)) as {
    data?: TResult | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  } | null;
  const error = body?.errors?.[0];
  if (error) throw new OpsRequestError(error.extensions?.code ?? "ERROR", error.message);
  if (!response.ok || body?.data === undefined || body.data === null) {
    throw new OpsRequestError("HTTP_ERROR", `the server answered HTTP ${response.status} without data`);
  }
  return body.data;
}
