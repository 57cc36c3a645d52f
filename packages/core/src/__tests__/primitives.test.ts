import { describe, expect, it } from 'vitest';
import {
  DurationSchema,
  LocaleSchema,
  TimestampSchema,
  TimeZoneSchema,
  durationToMinutes,
  parseOrThrow,
  toEpochMs,
} from '../schemas/index.js';
import { ulidGenerator, ulidTime } from '../ids/ulid.js';
import {
  CrmError,
  CrmRemoteError,
  CrmPolicyError,
  CrmValidationError,
  formatPath,
  isCrmError,
  isCrmValidationError,
} from '../errors/index.js';
import { manualClock } from '../clock/clock.js';

describe('timestamps', () => {
  it.each([
    ['2026-03-02T09:30:00Z', '2026-03-02T09:30:00.000Z'],
    ['2026-03-02T09:30Z', '2026-03-02T09:30:00.000Z'],
    ['2026-03-02T17:30:00.123+08:00', '2026-03-02T09:30:00.123Z'],
    ['2024-02-29T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T12:00:00-05:00', '2000-02-29T17:00:00.000Z'],
  ])('reads %s as %s', (input, output) => {
    expect(parseOrThrow(TimestampSchema, input, 'x')).toBe(output);
  });

  it.each([
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-03-02T24:00:00Z',
    '2026-03-02T09:60:00Z',
    '2026-03-02',
    '2026-03-02T09:30:00',
    'now',
    '12345-01-01T00:00:00Z',
  ])('rejects %s', (input) => {
    expect(Number.isNaN(toEpochMs(input))).toBe(true);
    expect(() => parseOrThrow(TimestampSchema, input, 'x')).toThrow('invalid date-time');
  });

  it('accepts a Date, and refuses an invalid one or one past year 9999', () => {
    expect(parseOrThrow(TimestampSchema, new Date(Date.UTC(2026, 0, 1)), 'x')).toBe('2026-01-01T00:00:00.000Z');
    expect(() => parseOrThrow(TimestampSchema, new Date('nope'), 'x')).toThrow('invalid date-time');
    expect(() => parseOrThrow(TimestampSchema, new Date(Date.UTC(10_000, 0, 1)), 'x')).toThrow('invalid date-time');
    expect(() => parseOrThrow(TimestampSchema, 1_700_000_000_000, 'x')).toThrow('expected an ISO 8601 date-time');
  });
});

describe('locales, zones and durations', () => {
  it('canonicalises language tags and names unknown ones', () => {
    expect(parseOrThrow(LocaleSchema, 'zh-hant-tw', 'x')).toBe('zh-Hant-TW');
    expect(parseOrThrow(LocaleSchema, 'MS', 'x')).toBe('ms');
    expect(() => parseOrThrow(LocaleSchema, 'xx-??', 'x')).toThrow('unknown language tag: expected a BCP 47 tag such as "en" or "zh-TW"');
  });

  it('knows IANA zones', () => {
    for (const zone of ['Europe/Rome', 'Asia/Taipei', 'Asia/Kuala_Lumpur', 'America/New_York', 'UTC'])
      expect(parseOrThrow(TimeZoneSchema, zone, 'x')).toBe(zone);
    expect(() => parseOrThrow(TimeZoneSchema, 'Europe/Atlantis', 'x')).toThrow('unknown IANA time zone: expected a name such as "Europe/Rome"');
  });

  it('never quotes a rejected language tag or time zone (it may be personal data, and is logged)', () => {
    for (const [schema, value] of [
      [LocaleSchema, 'mei@example.tw'],
      [TimeZoneSchema, 'mei@example.tw'],
      [LocaleSchema, 'x'.repeat(40)],
    ] as const) {
      const error = (() => {
        try {
          parseOrThrow(schema, value, 'x');
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error?.message).toBeDefined();
      expect(error!.message).not.toContain(value.slice(0, 8));
    }
  });

  it('reads ISO 8601 durations as minutes', () => {
    expect(durationToMinutes('PT4H')).toBe(240);
    expect(durationToMinutes('P1DT30M')).toBe(1470);
    expect(durationToMinutes('P1W')).toBe(10_080);
    expect(durationToMinutes('PT90S')).toBe(1.5);
    expect(durationToMinutes('P1M')).toBeNaN();
    expect(durationToMinutes('PT')).toBeNaN();
    expect(parseOrThrow(DurationSchema, 'PT2H30M', 'x')).toBe(150);
    expect(parseOrThrow(DurationSchema, 45, 'x')).toBe(45);
    expect(() => parseOrThrow(DurationSchema, -1, 'x')).toThrow('expected a non-negative number of minutes or an ISO 8601 duration');
  });
});

describe('ids', () => {
  it('makes 26-character ULIDs that sort by creation, even within one millisecond', () => {
    const clock = manualClock('2026-03-02T09:00:00Z');
    const next = ulidGenerator(() => clock.now().getTime());
    const ids = Array.from({ length: 5000 }, (_, i) => {
      if (i % 1000 === 0) clock.advance(1);
      return next();
    });
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ulidTime(ids[0]!)).toBe(Date.parse('2026-03-02T09:00:00.001Z'));
    expect(ulidTime('not-a-ulid')).toBeNaN();
  });

  it('stays increasing when the clock goes backwards', () => {
    let now = 1_000_000;
    const next = ulidGenerator(() => now);
    const a = next();
    now -= 500;
    const b = next();
    expect(b > a).toBe(true);
  });
});

describe('errors', () => {
  it('formats paths like JavaScript', () => {
    expect(formatPath(['addresses', 1, 'city'])).toBe('addresses[1].city');
    expect(formatPath([0, 'name'])).toBe('[0].name');
  });

  it('recognises errors from another copy of the package by name and code', () => {
    const foreign = Object.assign(new Error('x'), { name: 'CrmValidationError', code: 'VALIDATION' });
    expect(isCrmError(foreign)).toBe(true);
    expect(isCrmValidationError(foreign)).toBe(true);
    expect(isCrmError(new Error('x'))).toBe(false);
    expect(isCrmError(new CrmPolicyError('Too many calls', { rule: 'max_per_window' }), 'POLICY')).toBe(true);
  });

  it('carries the context a caller needs', () => {
    const remote = new CrmRemoteError('HubSpot answered 429 Too Many Requests', { status: 429, remoteCode: 'RATE_LIMIT', retryable: true });
    expect(remote).toMatchObject({ name: 'CrmRemoteError', code: 'REMOTE', status: 429, remoteCode: 'RATE_LIMIT', retryable: true });
    expect(remote).toBeInstanceOf(CrmError);
    const policy = new CrmPolicyError('Quiet hours', { rule: 'quiet_hours', allowedAt: new Date('2026-03-03T08:00:00Z') });
    expect(policy.allowedAt?.toISOString()).toBe('2026-03-03T08:00:00.000Z');
    const v = CrmValidationError.field('customer input', ['emails', 0], 'invalid email address');
    expect(v.message).toBe('Invalid customer input: emails[0]: invalid email address');
    expect(v.issues).toEqual([{ path: ['emails', 0], field: 'emails[0]', code: 'invalid', message: 'invalid email address' }]);
  });
});

describe('policy and record schemas', () => {
  it('reads an SLA policy with durations in minutes or ISO 8601', async () => {
    const { SlaPolicySchema, ContactPolicySchema, StaffSchema, CustomerSchema } = await import('../schemas/index.js');
    const policy = parseOrThrow(
      SlaPolicySchema,
      {
        id: 'standard',
        name: 'Standard',
        calendar: {
          timeZone: 'Europe/Rome',
          hours: {
            mon: [
              ['09:00', '13:00'],
              ['14:00', '18:00'],
            ],
            sat: [['22:00', '02:00']],
          },
          holidays: ['2026-12-25'],
        },
        targets: { high: { firstResponse: 'PT1H', resolution: 'P1D' }, normal: { firstResponse: 240 } },
      },
      'SLA policy',
    );
    expect(policy).toMatchObject({
      appliesTo: {},
      pauseStatuses: ['pending_customer'],
      warningThreshold: 0.8,
      targets: { high: { firstResponse: 60, resolution: 1440 } },
    });
    expect(() =>
      parseOrThrow(
        SlaPolicySchema,
        {
          id: 'x',
          name: 'x',
          calendar: { timeZone: 'Mars/Base', hours: '24/7', holidays: ['25/12/2026'] },
          targets: {},
          warningThreshold: 1.5,
        },
        'SLA policy',
      ),
    ).toThrow(
      'Invalid SLA policy: calendar.timeZone: unknown IANA time zone: expected a name such as "Europe/Rome"; calendar.holidays[0]: expected a local date as "YYYY-MM-DD"; warningThreshold: must be between 0 and 1 (exclusive)',
    );
    const contact = parseOrThrow(
      ContactPolicySchema,
      { limits: [{ channel: 'sms', max: 2, window: 'P7D' }], afterResolution: { quietFor: 'P14D' } },
      'contact policy',
    );
    expect(contact).toMatchObject({
      limits: [{ channel: 'sms', max: 2, window: 10_080 }],
      afterResolution: { followUps: 1, quietFor: 20_160 },
      respectOptOuts: true,
    });
    expect(() => parseOrThrow(ContactPolicySchema, { limits: [{ max: -1, window: 0 }] }, 'contact policy')).toThrow(
      'limits[0].max: must be a whole number, 0 or more; limits[0].window: must be a positive duration',
    );
    expect(parseOrThrow(StaffSchema, { id: 'linda', name: 'Linda', languages: ['zh-tw'] }, 'staff')).toEqual({
      id: 'linda',
      name: 'Linda',
      languages: ['zh-TW'],
      departments: [],
      capacity: 20,
      active: true,
    });
    expect(() =>
      parseOrThrow(
        CustomerSchema,
        { id: 'c1', name: 'x', version: 0, createdAt: '2026-01-01', updatedAt: '2026-01-01T00:00:00.000Z' },
        'customer',
      ),
    ).toThrow('version: must be a whole number, 1 or more; createdAt: expected a UTC ISO 8601 timestamp');
  });
});

describe('stored timestamps', () => {
  it('reads the stored form exactly as Date.parse does, across centuries and leap days', async () => {
    const { toEpochMs } = await import('../schemas/primitives.js');
    const samples = [
      '0100-03-01T00:00:00.000Z',
      '1600-02-29T23:59:59.999Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T12:00:00.000Z',
      '2100-03-01T00:00:00.001Z',
      '9999-12-31T23:59:59.999Z',
    ];
    for (let i = 0; i < 20_000; i++) samples.push(new Date(-5e12 + i * 7.3e8 + (i % 1000)).toISOString());
    for (const s of samples.filter((x) => x.length === 24)) expect(toEpochMs(s), s).toBe(Date.parse(s));
  });
});
