/**
 * `@crm/adapters/sql`.
 *
 * @packageDocumentation
 */
export {};
