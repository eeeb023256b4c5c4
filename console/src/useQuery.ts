import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { useCallback, useEffect, useState } from "react";
import { request } from "./api";

export type QueryState<Result> =
  | { status: "loading"; data?: Result }
  | { status: "error"; error: unknown; data?: Result }
  | { status: "done"; data: Result };

/** Runs a typed document whenever its variables change; `reload` runs it again. */
export function useQuery<Result, Variables>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  apiKey: string,
): QueryState<Result> & { reload: () => void } {
  const [state, setState] = useState<QueryState<Result>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const variablesKey = JSON.stringify(variables);
  // biome-ignore lint/correctness/useExhaustiveDependencies: variablesKey stands for variables; generation forces a reload.
  useEffect(() => {
    let current = true;
    setState((previous) => ({
      status: "loading",
      ...(previous.data === undefined ? {} : { data: previous.data }),
    }));
    request(document, JSON.parse(variablesKey) as Variables, apiKey).then(
      (data) => current && setState({ status: "done", data }),
      (error: unknown) => current && setState({ status: "error", error }),
    );
    return () => {
      current = false;
    };
  }, [document, variablesKey, apiKey, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}
