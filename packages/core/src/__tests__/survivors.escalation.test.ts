/**
 * Escalation of SLA breaches (sla/escalation.ts), case by case: mutants Stryker found surviving
 * (`npm run mutate -- sla`).
 */
import { describe, expect, it } from 'vitest';
import type { EntryMaker } from '../complaints/activity.js';
import type { Complaint } from '../schemas/complaint.js';
import type { SlaPolicy } from '../schemas/slaPolicy.js';
import type { SlaCrossing } from '../sla/engine.js';
import { escalates, slaEscalation } from '../sla/escalation.js';

let n = 0;
const entry = ((type: string, fields: object, at = '2026-03-02T10:00:00.000Z') => ({ id: `e${++n}`, type, at, ...fields })) as unknown as EntryMaker;
const policy = (onBreach?: SlaPolicy['onBreach']) => ({ id: 'p', onBreach }) as unknown as SlaPolicy;
const complaint = (priority: Complaint['priority'], ownerId?: string) => ({ priority, ...(ownerId ? { ownerId } : {}) }) as unknown as Complaint;
const breach = (target: SlaCrossing['target'] = 'firstResponse', event: SlaCrossing['event'] = 'breached'): SlaCrossing => ({
  target,
  event,
  cycle: 'c1',
  at: Date.parse('2026-03-02T09:30:00.001Z'),
  dueAt: Date.parse('2026-03-02T09:30:00.000Z'),
});

describe('escalates', () => {
  it('only breaches, only with onBreach, only of the targets it names (all when it names none)', () => {
    expect(escalates(policy(), breach())).toBe(false);
    expect(escalates(policy({}), breach())).toBe(true);
    expect(escalates(policy({}), breach('firstResponse', 'warning'))).toBe(false);
    expect(escalates(policy({ targets: ['resolution'] }), breach('firstResponse'))).toBe(false);
    expect(escalates(policy({ targets: ['resolution'] }), breach('resolution'))).toBe(true);
  });
});

describe('slaEscalation', () => {
  it('records each crossing, and nothing else when nothing escalates', () => {
    const out = slaEscalation(complaint('normal'), policy(), [breach('firstResponse', 'warning'), breach()], entry);
    expect(out.entries.map((e) => e.type)).toEqual(['sla', 'sla']);
    expect(out.entries[1]).toMatchObject({ target: 'firstResponse', event: 'breached', cycle: 'c1', dueAt: '2026-03-02T09:30:00.000Z', at: '2026-03-02T09:30:00.001Z' });
    expect(out.fields).toEqual({ priority: 'normal' });
    expect(out.fields).not.toHaveProperty('ownerId');
  });

  it('raises one step, never past urgent, and never lowers to a given priority', () => {
    expect(slaEscalation(complaint('urgent'), policy({ raisePriority: true }), [breach()], entry).entries.map((e) => e.type)).toEqual(['sla']);
    const lower = slaEscalation(complaint('high'), policy({ raisePriority: 'normal' }), [breach()], entry);
    expect(lower.entries.map((e) => e.type)).toEqual(['sla']);
    expect(lower.fields.priority).toBe('high');
    const same = slaEscalation(complaint('high'), policy({ raisePriority: 'high' }), [breach()], entry);
    expect(same.entries.map((e) => e.type)).toEqual(['sla']);
    const up = slaEscalation(complaint('low'), policy({ raisePriority: 'urgent' }), [breach()], entry);
    expect(up.entries[1]).toMatchObject({ type: 'priority_changed', from: 'low', to: 'urgent' });
    expect(up.fields.priority).toBe('urgent');
    const none = slaEscalation(complaint('low'), policy({ reassignTo: 'lead' }), [breach()], entry);
    expect(none.entries.map((e) => e.type)).toEqual(['sla', 'assigned']);
    expect(none.fields).toEqual({ priority: 'low', ownerId: 'lead' });
  });

  it('hands off to the escalation owner once, not to the owner it already has', () => {
    const twice = slaEscalation(complaint('normal', 'sam'), policy({ reassignTo: 'lead' }), [breach(), breach('resolution')], entry);
    expect(twice.entries.map((e) => e.type)).toEqual(['sla', 'assigned', 'sla']);
    expect(twice.entries[1]).toMatchObject({ from: 'sam', to: 'lead' });
    expect(twice.fields).toEqual({ priority: 'normal', ownerId: 'lead' });
    const already = slaEscalation(complaint('normal', 'lead'), policy({ reassignTo: 'lead' }), [breach()], entry);
    expect(already.entries.map((e) => e.type)).toEqual(['sla']);
    expect(already.fields).toEqual({ priority: 'normal', ownerId: 'lead' });
    const unowned = slaEscalation(complaint('normal'), policy({ raisePriority: true }), [breach()], entry);
    expect(unowned.fields).toEqual({ priority: 'high' });
    // Without reassignTo, an owned complaint keeps its owner.
    const kept = slaEscalation(complaint('normal', 'sam'), policy({ raisePriority: true }), [breach()], entry);
    expect(kept.entries.map((e) => e.type)).toEqual(['sla', 'priority_changed']);
    expect(kept.fields).toEqual({ priority: 'high', ownerId: 'sam' });
  });
});
