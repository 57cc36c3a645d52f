/**
 * `@crm/adapters/rest`.
 *
 * @packageDocumentation
 */
export {};
