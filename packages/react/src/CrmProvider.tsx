'use client';
import type { Crm } from '@crm/core';
import type { ReactElement, ReactNode } from 'react';
import { CrmContext } from './context.js';

/** Props of {@link CrmProvider}. */
export interface CrmProviderProps {
  /**
   * The CRM every hook and widget below this provider uses. Create it once (outside render,
   * or in a `useState` initialiser) so it keeps its store and subscriptions between renders.
   * @example
   * ```tsx
   * const crm = createCrm()
   * ```
   */
  crm: Crm;
  /** The part of the app that uses the CRM. */
  children?: ReactNode;
}

/**
 * Makes a {@link Crm} available to {@link useCrm} and to every `@crm/react` hook and widget below it.
 *
 * @example
 * ```tsx
 * import { createCrm } from '@crm/core'
 * import { CrmProvider } from '@crm/react'
 *
 * const crm = createCrm()
 *
 * export function App() {
 *   return (
 *     <CrmProvider crm={crm}>
 *       <CustomerPage />
 *     </CrmProvider>
 *   )
 * }
 * ```
 */
export function CrmProvider({ crm, children }: CrmProviderProps): ReactElement {
  return <CrmContext.Provider value={crm}>{children}</CrmContext.Provider>;
}
