'use client';
import type { Crm } from '@crm/core';
import { createContext } from 'react';

/**
 * The React context that carries the {@link Crm} given to {@link CrmProvider}. Read it with
 * {@link useCrm}; it is exported for libraries that need `use(CrmContext)` directly.
 */
export const CrmContext = createContext<Crm | null>(null);
CrmContext.displayName = 'CrmContext';
