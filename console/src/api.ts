import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type OperationDefinitionNode, print } from "graphql";

/** A GraphQL or HTTP failure, with the API's stable code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const KEY_STORAGE = "insights-console-key";

/** The pasted key lives in this tab's session storage only: never the URL, local storage or a log. */
export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  save: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

/** Sends one of the generated typed documents to /graphql with the key; returns its data or throws ApiError. */
export async function request<Result, Variables>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  key: string,
): Promise<Result> {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === "OperationDefinition",
  );
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({ query: print(document), operationName: operation?.name?.value, variables }),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError("NETWORK", "The server did not answer. Check that it is running, then retry.");
  }
  let body: { data?: Result | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP_${response.status}`, `The server answered ${response.status} without JSON.`);
  }
  const error = body.errors?.[0];
  if (error !== undefined) throw new ApiError(error.extensions?.code ?? "ERROR", error.message);
  if (body.data == null) throw new ApiError("ERROR", "The server answered without data.");
  return body.data;
}

/** What to tell the user about a failure: the message and what to do next. */
export function describeError(error: unknown): { title: string; hint: string } {
  if (!(error instanceof ApiError)) {
    return { title: "Something went wrong in the console.", hint: "Reload the page and try again." };
  }
  switch (error.code) {
    case "UNAUTHENTICATED":
      return { title: error.message, hint: "Sign out and paste a valid INTERNAL or OPERATOR key." };
    case "FORBIDDEN":
      return { title: error.message, hint: "This needs an OPERATOR key; sign in with one to do it." };
    case "RATE_LIMITED":
      return { title: error.message, hint: "Wait the time it names, then retry." };
    case "NETWORK":
      return { title: error.message, hint: "Retry once the server is up." };
    default:
      return {
        title: `${error.code}: ${error.message}`,
        hint: "Retry; if it persists, check the server's log.",
      };
  }
}
