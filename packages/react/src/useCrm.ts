'use client';
import type { Crm } from '@crm/core';
import { useContext } from 'react';
import { CrmContext } from './context.js';

/** The message of the error {@link useCrm} throws outside a {@link CrmProvider}. */
export const MISSING_PROVIDER_MESSAGE =
  'useCrm() must be called inside <CrmProvider crm={createCrm()}>…</CrmProvider>: wrap your app (or the part that uses @crm/react) in a CrmProvider from @crm/react, passing the Crm made by createCrm() from @crm/core.';

/**
 * The {@link Crm} given to the nearest {@link CrmProvider}.
 *
 * @throws Error when there is no `CrmProvider` above the calling component; the message says what to add.
 * @example
 * ```tsx
 * function CustomerName({ id }: { id: string }) {
 *   const crm = useCrm()
 *   // …load with crm.customers.get(id)
 * }
 * ```
 */
export function useCrm(): Crm {
  const crm = useContext(CrmContext);
  if (crm === null) throw new Error(MISSING_PROVIDER_MESSAGE);
  return crm;
}
