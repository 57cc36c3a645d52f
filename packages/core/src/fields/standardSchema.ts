/**
 * The Standard Schema interface (https://standardschema.dev, version 1), written from the spec
 * so that the core depends on no validator: zod, valibot, ArkType and others implement it, and
 * any of them can declare a custom field. Also the optional Standard JSON Schema converter, by
 * which a validator says its JSON Schema (used for the OpenAPI documents).
 *
 * @module
 */

/** A validator implementing the Standard Schema interface. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace StandardSchemaV1 {
  /** The properties every Standard Schema has. */
  export interface Props<Input = unknown, Output = Input> {
    /** The version of the interface: 1. */
    readonly version: 1;
    /** The library that made the schema: `zod`, `valibot`, `arktype`. */
    readonly vendor: string;
    /** Validates a value: the output, or the issues. May be asynchronous. */
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    /** Carries the input and output types (types only). */
    readonly types?: Types<Input, Output> | undefined;
    /** The Standard JSON Schema converter, where the validator offers one. */
    readonly jsonSchema?: JsonSchemaConverter | undefined;
  }
  /** What `validate` returns. */
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  /** A value that passed. */
  export interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  /** A value that failed, with why. */
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  /** One problem. */
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  /** A path segment given as an object. */
  export interface PathSegment {
    readonly key: PropertyKey;
  }
  /** The input and output types. */
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  /** The Standard JSON Schema converter (`~standard.jsonSchema`). */
  export interface JsonSchemaConverter {
    readonly input: (options: { readonly target: string }) => Record<string, unknown>;
    readonly output: (options: { readonly target: string }) => Record<string, unknown>;
  }
  /** The input type of a schema. */
  export type InferInput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['input'];
  /** The output type of a schema. */
  export type InferOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];
}

/** Whether `value` implements the Standard Schema interface, version 1. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: unknown })['~standard'] as Partial<StandardSchemaV1.Props> | undefined;
  return typeof props === 'object' && props !== null && props.version === 1 && typeof props.validate === 'function';
}
