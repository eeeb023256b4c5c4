import { type ExecutionResult, GraphQLError, type GraphQLSchema, parse } from "graphql";
import type { Plugin } from "graphql-yoga";
import { actorOf } from "../audit/actor";
import { appendAuditEntry } from "../audit/chain";
import { auditDeniedResponseKeys, auditRefusedAdminAttempt } from "../audit/refusals";
import type { Clock } from "../clock";
import type { AppContext } from "../context";
import type { DatabaseHandle } from "../db/client";
import type { ApiRole } from "../db/schema/enums";
import { apiError } from "../errors";
import { readableLevel } from "../insights/breakdownLevel";
import type { InsightsFilter } from "../insights/insightsFilter";
import { MAX_PAGE_SIZE, validateInsightsFilter } from "../insights/insightsFilter";
import { countInsightCells, currentReleases, type ReleaseRef } from "../insights/readInsights";
import { bucketKey } from "../privacy/buckets";
import type { PlanEntry, ReleaseLevel } from "../privacy/releasePlan";
import { armorLimitsFor, armorRules, withContractCode } from "./armor";
import { chargeBuyer, type ShapeHits } from "./budget";
import { decideSelection, familyCosts } from "./decideSelection";
import { DENIED_KEYS, findDeniedKeys, findDeniedResponseKeys } from "./denyList";
import type { DocumentAudience, DocumentCache } from "./documentCache";
import {
  coerceVariables,
  collectRootSelections,
  FINGERPRINT_VERSION,
  fingerprintOperation,
  operationOf,
} from "./fingerprint";
import type { RateLimiter } from "./rateLimit";
import type { RequestState } from "./requestState";
import { type StripMode, stripDocument } from "./strip";

/** Which cached documents a role may be handed (see DocumentAudience). */
export function audienceOf(role: ApiRole | undefined): DocumentAudience {
  return role === "buyer" || role === "business" ? role : role === undefined ? "anonymous" : "staff";
}

export interface PolicyOptions {
  database: DatabaseHandle;
  clock: Clock;
  states: WeakMap<Request, RequestState>;
  schema: GraphQLSchema;
  buyerSchema: GraphQLSchema;
  /** What BUSINESS keys may see; like buyers, they are stripped to it and their responses scanned. */
  businessSchema: GraphQLSchema;
  stripMode: StripMode;
  /** Bounds of a dataset export, checked on its first page before anything is charged. */
  exportLimits?: ExportLimits;
  /** Parsed (and for buyers stripped) and validated documents, per audience. */
  documentCache: DocumentCache;
  /** Uses of already-counted shapes, written in batches. */
  shapeHits: ShapeHits;
}

export interface ExportLimits {
  maxCells: number;
  rateLimiter: RateLimiter;
  perMinute: (role: ApiRole) => number;
}

/**
 * The policy layer, in PRIVACY.md's order: armor limits by role (parse and validation), strip
 * (after parse, before validation, buyers), then after validation and before execution the
 * bounds, fingerprints and the budget charge (buyers), and after execution the output scan.
 * Every refusal stops the request before any resolver runs and changes no state.
 */
export function usePolicy(options: PolicyOptions): Plugin<AppContext> {
  const stateOf = (context: unknown) => {
    const request = (context as { request?: Request }).request;
    return request === undefined ? undefined : options.states.get(request);
  };

  const cache = options.documentCache;
  // Buyers and businesses see a sub-graph: anything outside it is stripped (root fields: FORBIDDEN).
  const visibleSchemaOf = (role: ApiRole | undefined): GraphQLSchema | undefined =>
    role === "buyer" ? options.buyerSchema : role === "business" ? options.businessSchema : undefined;

  return {
    onParse({ context, params, setParseFn, setParsedDocument }) {
      const state = stateOf(context);
      const role = state?.principal?.role;
      const audience = audienceOf(role);
      const source = typeof params.source === "string" ? params.source : params.source.body;
      const hit = cache.parsed(audience, source);
      if (hit !== undefined) {
        state?.policy.strippedFields.push(...hit.strippedFields);
        setParsedDocument(hit.document);
        return;
      }
      const limits = armorLimitsFor(role);
      setParseFn((text, parseOptions) => parse(text, { ...parseOptions, maxTokens: limits.maxTokens }));
      return ({ result, replaceParseResult }) => {
        if (result instanceof Error) {
          if (/tokens/.test(result.message)) {
            replaceParseResult(
              apiError("QUERY_REJECTED", `The document has more than ${limits.maxTokens} tokens.`, {
                limit: limits.maxTokens,
              }),
            );
          }
          return;
        }
        if (result === null) return;
        const visibleSchema = visibleSchemaOf(role);
        if (visibleSchema === undefined || state === undefined) {
          cache.rememberParsed(audience, source, { document: result, strippedFields: [] });
          return;
        }
        try {
          const stripped = stripDocument(result, options.schema, visibleSchema, options.stripMode);
          state.policy.strippedFields.push(...stripped.strippedFields);
          cache.rememberParsed(audience, source, stripped);
          replaceParseResult(stripped.document);
        } catch (error) {
          const refusal = error as GraphQLError;
          // A buyer reaching for an admin mutation is refused here, before scope-auth: audit it too.
          const refusedField = String(refusal.extensions?.field ?? "");
          if (refusal.extensions?.code === "FORBIDDEN" && refusedField.startsWith("Mutation.")) {
            void auditRefusedAdminAttempt(
              options.database,
              {
                at: options.clock.now(),
                principal: state.principal,
                action: refusedField.slice("Mutation.".length),
                requestId: state.id,
              },
              () => {},
            );
          }
          replaceParseResult(refusal);
        }
      };
    },

    onValidate({ context, params, addValidationRule, setResult }) {
      const role = stateOf(context)?.principal?.role;
      const audience = audienceOf(role);
      const document = params.documentAST;
      if (cache.isValid(audience, document)) {
        setResult([]);
        return;
      }
      for (const rule of armorRules(armorLimitsFor(role))) addValidationRule(rule);
      return ({ result, setResult: replaceResult }) => {
        if (result.length > 0) replaceResult(result.map(withContractCode));
        else cache.rememberValid(audience, document);
      };
    },

    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as AppContext;
      const principal = context.principal;
      if (principal === null) return;
      const refuse = (error: unknown) => {
        const graphQLError =
          error instanceof GraphQLError
            ? error
            : apiError("INTERNAL_ERROR", "The request could not be checked.");
        context.policy.outcomeCode = String(graphQLError.extensions.code ?? "INTERNAL_ERROR");
        setResultAndStopExecution({ errors: [graphQLError] });
      };
      const scanned = SCANNED_ROLES.has(principal.role);
      if (scanned) {
        const deniedKeys = findDeniedResponseKeys(args.document);
        if (deniedKeys.length > 0) {
          await auditDeniedResponseKeys(options.database, {
            at: context.clock.now(),
            principal,
            responseKeys: deniedKeys,
            requestId: context.requestId,
          }).catch((error: unknown) =>
            context.logger.error({ err: String(error) }, "audit of a denied response key failed"),
          );
          refuse(deniedResponseKeysError(deniedKeys));
          return;
        }
      }
      try {
        await decideAndCharge();
      } catch (error) {
        refuse(error);
        return;
      }
      // Every buyer and business response is scanned, whatever it selects (aliases can name anything).
      if (!scanned) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const hits = findDeniedKeys({ data: result.data, extensions: result.extensions });
          if (hits.length === 0) return;
          // Fail closed: nothing of this response leaves, and the hit is on record.
          context.policy.outcomeCode = "INTERNAL_ERROR";
          setResult({
            errors: [apiError("INTERNAL_ERROR", "The response was withheld by the output check.")],
          } as ExecutionResult);
          void options.database
            .transaction((query) =>
              appendAuditEntry(query, {
                at: context.clock.now(),
                type: "output_scan",
                actor: actorOf(principal),
                actorKeyId: principal.keyId,
                action: "withholdResponse",
                target: principal.partnerId ?? principal.businessId,
                outcome: "BLOCKED",
                details: { deniedKeys: hits },
                requestId: context.requestId,
              }),
            )
            .catch((error: unknown) =>
              context.logger.error({ err: String(error) }, "audit of a withheld response failed"),
            );
        },
      };

      /**
       * A dataset export is bounded work: at most exportLimits.maxCells cells, and a rate-limit token
       * per page, all taken by its first page (which took one already) before anything is charged.
       * Its one count statement; its pages count nothing.
       */
      async function boundExport(filter: InsightsFilter, releases: ReleaseRef[]): Promise<void> {
        const limits = options.exportLimits;
        if (limits === undefined || principal === null) return;
        const cells = await countInsightCells(context.database, filter, releases);
        if (cells > limits.maxCells) {
          // Releases are buckets: say how many buckets fit in one export.
          const cellsPerBucket = Math.ceil(cells / Math.max(1, releases.length));
          const bucketsPerExport = Math.max(1, Math.floor(limits.maxCells / cellsPerBucket));
          throw apiError(
            "EXPORT_TOO_LARGE",
            `This export has ${cells} cells, more than the ${limits.maxCells} one export may stream. Split it into ` +
              `exports of at most ${limits.maxCells} cells each: shorter time ranges (about ${bucketsPerExport} ` +
              "time buckets each), fewer geo buckets or a coarser breakdown. Nothing was charged.",
            { limit: limits.maxCells, cells },
          );
        }
        const pages = Math.max(1, Math.ceil(cells / MAX_PAGE_SIZE));
        const capacity = limits.perMinute(principal.role);
        if (pages > capacity) {
          throw apiError(
            "RATE_LIMITED",
            `This export needs ${pages} pages of ${MAX_PAGE_SIZE} cells, one rate-limit token each, more than this key's ${capacity} a minute. Split it into exports of at most ${capacity * MAX_PAGE_SIZE} cells. Nothing was charged.`,
            { limit: capacity, pages },
          );
        }
        if (pages === 1) return;
        const retryAfter = limits.rateLimiter.take(
          principal.keyId,
          context.clock.now().getTime(),
          capacity,
          pages - 1,
        );
        if (retryAfter > 0) {
          throw apiError(
            "RATE_LIMITED",
            `This export needs ${pages} rate-limit tokens (one a page); retry in ${retryAfter} s. Nothing was charged.`,
            {
              retryAfterSeconds: retryAfter,
              pages,
              http: { status: 429, headers: { "retry-after": String(retryAfter) } },
            },
          );
        }
      }

      async function decideAndCharge(): Promise<void> {
        // A BUSINESS key never reaches insights (its schema has none); nothing to decide or charge.
        if (principal === null || principal.role === "business") return;
        const operation = operationOf(args.document, args.operationName);
        if (operation.operation !== "query") return;
        const variables = coerceVariables(args.schema, operation, args.variableValues ?? undefined);
        const shapes = fingerprintOperation(args.schema, args.document, operation, variables);
        if (shapes.length === 0) return;
        context.policy.active = true;
        context.policy.fingerprints = shapes.map((shape) => shape.fingerprint);
        const exportFirstPage = stateOf(context)?.exportPage === 0;
        // The plan, read once per request, decides which breakdown levels may be read.
        let plan: readonly PlanEntry[] | undefined;
        const levelOf = async (filter: InsightsFilter): Promise<ReleaseLevel> => {
          plan ??= await context.settings.plan();
          return readableLevel(filter, plan);
        };
        if (principal.role !== "buyer") {
          for (const shape of shapes) {
            if (!exportFirstPage) break;
            const buckets = validateInsightsFilter(shape.filter, MAX_PAGE_SIZE);
            const level = await levelOf(shape.filter);
            const { releases } = await currentReleases(context.database, shape.filter, level, buckets);
            await boundExport(shape.filter, releases);
          }
          return;
        }

        // Everything that can refuse runs before the charge, so a refusal never costs anything.
        const now = context.clock.now();
        const pages = new Map(
          collectRootSelections(args.schema, args.document, operation, variables).map((selection) => [
            selection.responseKey,
            selection.args,
          ]),
        );
        const read: ReleaseRef[] = [];
        for (const shape of shapes) {
          const page = pages.get(shape.responseKey);
          const decision = await decideSelection(
            context,
            shape.filter,
            { first: Number(page?.first ?? 500), after: page?.after },
            now,
          );
          context.policy.decisions.set(shape.responseKey, {
            filter: shape.filter,
            level: decision.level,
            releases: decision.releases,
            missingBuckets: decision.missingBuckets,
          });
          read.push(...decision.releases);
          if (exportFirstPage) await boundExport(shape.filter, decision.releases);
        }
        const charge = await chargeBuyer(
          context.database,
          {
            partnerId: principal.partnerId ?? "",
            fingerprints: context.policy.fingerprints,
            fingerprintVersion: FINGERPRINT_VERSION,
            releases: familyCosts(read),
            now,
            requestId: context.requestId,
          },
          options.shapeHits,
        );
        context.policy.epsilonCharged = charge.epsilonCharged;
        context.policy.epsilonRemaining = charge.epsilonRemaining;
        context.policy.budgetWindowStart = charge.windowStart;
        for (const decision of context.policy.decisions.values()) {
          for (const release of decision.releases) context.policy.releaseIds.add(release.id);
          for (const bucket of decision.missingBuckets) context.policy.missingBuckets.add(bucketKey(bucket));
        }
      }
    },
  };
}

/** Roles whose documents are checked for denied response keys and whose responses are scanned. */
const SCANNED_ROLES: ReadonlySet<ApiRole> = new Set<ApiRole>(["buyer", "business"]);

/** A buyer document whose response would carry a denied key: refused before anything is charged. */
function deniedResponseKeysError(keys: string[]): GraphQLError {
  const quoted = keys.map((key) => `"${key}"`).join(", ");
  return apiError(
    "FIELD_NOT_ALLOWED",
    `The response key${keys.length === 1 ? "" : "s"} ${quoted} name${keys.length === 1 ? "s" : ""} a field the data contract forbids in responses (${DENIED_KEYS.join(", ")}, in any case style). Choose other aliases; nothing was charged or counted.`,
    { reason: "DENIED_RESPONSE_KEY", responseKeys: keys },
  );
}
