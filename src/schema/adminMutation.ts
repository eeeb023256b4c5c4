import type { FieldMap, InputObjectRef, ObjectRef } from "@pothos/core";
import { type AdminActor, type AdminDeps, adminActorOf } from "../audit/actor";
import { auditRefusedInput } from "../audit/refusals";
import type { AppContext } from "../context";
import type { AdminOutcome, UserError } from "../errors";
import { type BuilderTypes, builder } from "./builder";
import { UserErrorType } from "./userErrors";

/** What every mutation payload carries besides its own fields. */
export interface WithUserErrors {
  userErrors: UserError[];
}

/** A `<MutationName>Payload` type: the given fields, then the userErrors every payload ends with. */
export function mutationPayload<Shape extends WithUserErrors>(
  name: string,
  description: string,
  fields: (t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, Shape>) => FieldMap,
): ObjectRef<BuilderTypes, Shape> {
  return builder.objectRef<Shape>(name).implement({
    description,
    fields: (t) => ({
      ...fields(t),
      userErrors: t.field({
        type: [UserErrorType],
        description: "Problems with the input; empty on success.",
        resolve: (payload) => payload.userErrors,
      }),
    }),
  });
}

type PayloadFields<Shape> = Omit<Shape, "userErrors">;

interface AdminMutationOptions<Input, Shape extends WithUserErrors, InputRequired extends boolean> {
  description: string;
  payload: ObjectRef<BuilderTypes, Shape>;
  input: {
    type: InputObjectRef<BuilderTypes, Input>;
    description: string;
    /** False only where the whole input may be left out (its fields all have defaults). */
    required?: InputRequired;
  };
  /** The domain function: `(deps, actor, input)`, as every admin change is written. */
  run: (
    deps: AdminDeps,
    actor: AdminActor,
    input: InputArgument<Input, InputRequired>,
  ) => Promise<AdminOutcome<PayloadFields<Shape>>>;
  /** The payload's fields when the input is refused (its userErrors say why). */
  refused: PayloadFields<Shape>;
  /** What the audit row of a refused call names as its target: the id, key or code the input is about. */
  auditTarget: (input: InputArgument<Input, InputRequired>) => string | null;
}

type InputArgument<Input, InputRequired extends boolean> = InputRequired extends false
  ? Input | null | undefined
  : Input;

/**
 * An OPERATOR mutation with its one `input` argument (CONTRACT.md: verb first, one input, a payload),
 * run by its domain function with the request context as deps and the calling key as actor. A call
 * refused for its input (userErrors in the payload) changed nothing; it is audited here, once for
 * every admin mutation, with the userError codes as the outcome.
 */
export function adminMutationField<Input, Shape extends WithUserErrors, InputRequired extends boolean = true>(
  name: string,
  options: AdminMutationOptions<Input, Shape, InputRequired>,
): void {
  const resolve = async (_root: unknown, args: { input?: Input | null }, context: AppContext) => {
    const input = args.input as InputArgument<Input, InputRequired>;
    const actor = adminActorOf(context);
    const outcome = await options.run(context, actor, input);
    if (outcome.ok) return { ...outcome.value, userErrors: [] };
    await auditRefusedInput(context.database, {
      at: context.clock.now(),
      actor,
      action: name,
      target: options.auditTarget(input),
      userErrors: outcome.userErrors,
    });
    return { ...options.refused, userErrors: outcome.userErrors };
  };
  builder.mutationField(name, (t) =>
    t.field({
      type: options.payload,
      description: options.description,
      authScopes: { operator: true },
      args: {
        input: t.arg({
          type: options.input.type,
          required: (options.input.required ?? true) as true,
          description: options.input.description,
        }),
      },
      // Pothos cannot resolve its argument and result types over the generic Input and Shape; the
      // options' own signature is what callers are checked against.
      resolve: resolve as never,
    }),
  );
}
