import type { Plugin } from "graphql-yoga";
import type { AppContext } from "../context";

/** Writes what the policy steps and resolvers recorded into `extensions.policy`. */
export function usePolicyReport(): Plugin<AppContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          const report = (args.contextValue as AppContext).policy;
          if (!report.active || Symbol.asyncIterator in result) return;
          setResult({
            ...result,
            extensions: {
              ...result.extensions,
              policy: {
                // One root insights selection: a string; several: a list in document order.
                fingerprint: report.fingerprints.length === 1 ? report.fingerprints[0] : report.fingerprints,
                epsilonCharged: report.epsilonCharged,
                epsilonRemaining: report.epsilonRemaining,
                strippedFields: report.strippedFields,
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
