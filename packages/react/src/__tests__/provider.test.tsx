'use client';
import { createCrm, type Crm } from '@crm/core';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CrmProvider, useCrm } from '../index.js';

function ShowStaff() {
  const crm = useCrm();
  return <p>staff: {crm.staff.map((s) => s.name).join(', ')}</p>;
}

describe('CrmProvider and useCrm', () => {
  it('gives the components below the provider the same crm', () => {
    const crm = createCrm({ staff: [{ id: 'linda', name: 'Linda', languages: ['en'], departments: ['support'], capacity: 5 }] });
    let seen: Crm | undefined;
    function Capture() {
      seen = useCrm();
      return null;
    }
    const html = renderToString(
      <CrmProvider crm={crm}>
        <ShowStaff />
        <Capture />
      </CrmProvider>,
    );
    expect(html).toBe('<p>staff: <!-- -->Linda</p>');
    expect(seen).toBe(crm);
  });

  it('the nearest provider wins', () => {
    const outer = createCrm();
    const inner = createCrm();
    let seen: Crm | undefined;
    function Capture() {
      seen = useCrm();
      return null;
    }
    renderToString(
      <CrmProvider crm={outer}>
        <CrmProvider crm={inner}>
          <Capture />
        </CrmProvider>
      </CrmProvider>,
    );
    expect(seen).toBe(inner);
  });

  it('useCrm outside a provider throws an error that says what to add', () => {
    expect(() => renderToString(<ShowStaff />)).toThrowErrorMatchingInlineSnapshot(
      `[Error: useCrm() must be called inside <CrmProvider crm={createCrm()}>…</CrmProvider>: wrap your app (or the part that uses @crm/react) in a CrmProvider from @crm/react, passing the Crm made by createCrm() from @crm/core.]`,
    );
  });
});
