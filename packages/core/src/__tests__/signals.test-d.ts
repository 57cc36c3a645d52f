import { describe, expectTypeOf, it } from 'vitest';
import { createCrm, type Complaint, type Page, type Signal, type SignalClassifier, type SignalState, type Touchpoint } from '../index.js';
import { batchClassifier, lexiconClassifier, type ComplaintKind, type LexiconVerdict, type SignalVerdict } from '../signals/index.js';

describe('hidden complaints: public types', () => {
  const crm = createCrm({ signals: { classifier: lexiconClassifier() } });

  it('types the suggestion methods, the signal and the event', () => {
    expectTypeOf(crm.complaints.suggestions).returns.resolves.toEqualTypeOf<Page<Touchpoint>>();
    expectTypeOf(crm.complaints.acceptSuggestion).returns.resolves.toEqualTypeOf<Complaint>();
    expectTypeOf(crm.complaints.dismissSuggestion).returns.resolves.toEqualTypeOf<Touchpoint>();
    expectTypeOf<Touchpoint['signal']>().toEqualTypeOf<Signal | undefined>();
    expectTypeOf<Signal['state']>().toEqualTypeOf<SignalState>();
    crm.on('complaint.suggested', ({ touchpoint, reasons, matches }) => {
      expectTypeOf(touchpoint).toEqualTypeOf<Touchpoint>();
      expectTypeOf(reasons).toEqualTypeOf<string[]>();
      expectTypeOf(matches).toEqualTypeOf<string[]>();
    });
    // @ts-expect-error: the reason is required
    void crm.complaints.dismissSuggestion('t1', {});
    // @ts-expect-error: signal is stored, not an input of log
    void crm.touchpoints.log({ customerId: 'c', channel: 'call', direction: 'inbound', signal: { state: 'suggested' } });
  });

  it('takes any classifier, sync or async', () => {
    const sync: SignalClassifier = { classify: () => ({ complaint: false, matches: [] }) };
    const async: SignalClassifier = { classify: async ({ text }) => ({ complaint: text === 'bad', matches: ['bad'], score: 1 }) };
    createCrm({ signals: { classifier: sync } });
    createCrm({ signals: { classifier: async, sentimentAtOrBelow: -0.7, wordingDirections: ['inbound', 'outbound'] } });
    // @ts-expect-error: not a direction
    createCrm({ signals: { wordingDirections: ['sideways'] } });
  });

  it('lets verdicts name their kind (optional, so older classifiers still fit)', () => {
    expectTypeOf<SignalVerdict['kind']>().toEqualTypeOf<ComplaintKind | undefined>();
    const old: SignalVerdict = { complaint: true, matches: ['meh'], reason: 'model says so' };
    const named: SignalVerdict = { ...old, kind: 'billing' };
    // @ts-expect-error: not a kind
    const bad: SignalVerdict = { ...old, kind: 'grumpy' };
    void [named, bad];
    expectTypeOf(lexiconClassifier({ languages: ['en'] }).classify({ text: '', locale: 'en' })).toEqualTypeOf<LexiconVerdict>();
    // @ts-expect-error: not a shipped language
    lexiconClassifier({ languages: ['fr'] });
    createCrm({ signals: { classifier: batchClassifier({ classifyBatch: async (inputs) => inputs.map(() => old) }) } });
  });
});
