'use client';
/**
 * `@crm/react`: React bindings for `@crm/core` — {@link CrmProvider} and {@link useCrm}.
 *
 * @packageDocumentation
 */
export { CrmContext } from './context.js';
export { CrmProvider, type CrmProviderProps } from './CrmProvider.js';
export { useCrm } from './useCrm.js';
