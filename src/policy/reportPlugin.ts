import type { Plugin } from "graphql-yoga";
import type { AppContext } from "../context";

/** Copies what the request's resolvers and policy steps recorded into `extensions.policy`. */
export function usePolicyReport(): Plugin<AppContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          const report = (args.contextValue as AppContext).policy;
          if (!report.active) return;
          if (Symbol.asyncIterator in result) return;
          setResult({
            ...result,
            extensions: {
              ...result.extensions,
              policy: {
                ...(result.extensions?.policy as Record<string, unknown> | undefined),
                releaseIds: [...report.releaseIds],
                missingBuckets: [...report.missingBuckets].sort(),
              },
            },
          });
        },
      };
    },
  };
}
