import { describe, expect, it } from 'vitest';
import { businessCalendar, type BusinessCalendar } from '../calendar/calendar.js';
import { CrmValidationError } from '../errors/index.js';

// Every expected instant below was worked out by hand; the comment next to it gives the local
// wall-clock time and offset it stands for. Clock changes used (checked against Intl):
//   America/New_York  2026-03-08 02:00 EST → 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT → 01:00 EST (06:00Z)
//   Europe/Rome       2026-03-29 02:00 CET → 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST → 02:00 CET (01:00Z)
//   Australia/Sydney  2026-04-05 03:00 AEDT → 02:00 AEST (2026-04-04T16:00Z); 2026-10-04 02:00 AEST → 03:00 AEDT (2026-10-03T16:00Z)
//   Asia/Taipei, Asia/Shanghai, Asia/Kuala_Lumpur: +08:00 all year.

const iso = (d: Date) => d.toISOString();

type Hours = Parameters<typeof businessCalendar>[0]['hours'];
const weekdays = (intervals: [string, string][]): Exclude<Hours, '24/7'> => ({
  mon: intervals,
  tue: intervals,
  wed: intervals,
  thu: intervals,
  fri: intervals,
});

const nyOffice = (holidays: string[] = []) =>
  businessCalendar({ timeZone: 'America/New_York', hours: weekdays([['09:00', '17:00']]), holidays });
const taipeiOffice = (holidays: string[] = []) =>
  businessCalendar({ timeZone: 'Asia/Taipei', hours: weekdays([['09:00', '17:00']]), holidays });

function validationError(fn: () => unknown): CrmValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CrmValidationError) return error;
    throw error;
  }
  throw new Error('expected a CrmValidationError');
}

describe('America/New_York across DST', () => {
  it('runs an office clock from the Friday before spring-forward into the Monday after', () => {
    const cal = nyOffice();
    // Fri 16:00 EST: 60 min to 17:00 EST, then Mon 2026-03-09 09:00 EDT + 60 → 10:00 EDT (14:00Z).
    expect(iso(cal.addBusinessTime('2026-03-06T16:00:00-05:00', 120))).toBe('2026-03-09T14:00:00.000Z');
    expect(cal.businessMinutesBetween('2026-03-06T16:00:00-05:00', '2026-03-09T10:00:00-04:00')).toBe(120);
    // The working day after the change is still 8 hours, 09:00–17:00 EDT.
    expect(cal.businessMinutesBetween('2026-03-09T00:00:00-04:00', '2026-03-10T00:00:00-04:00')).toBe(480);
    // Opening on Monday is 09:00 EDT = 13:00Z (it was 14:00Z the Monday before).
    expect(iso(cal.nextOpen('2026-03-07T12:00:00-05:00'))).toBe('2026-03-09T13:00:00.000Z');
    expect(iso(cal.nextOpen('2026-03-01T12:00:00-05:00'))).toBe('2026-03-02T14:00:00.000Z');
    // Fall back: Fri 2026-10-30 16:30 EDT + 60 → 30 min, then Mon 2026-11-02 09:30 EST (14:30Z).
    expect(iso(cal.addBusinessTime('2026-10-30T16:30:00-04:00', 60))).toBe('2026-11-02T14:30:00.000Z');
  });

  it('counts 23 hours on the spring-forward Sunday and 25 on the fall-back one when open all day', () => {
    const cal = businessCalendar({ timeZone: 'America/New_York', hours: { sun: [['00:00', '24:00']] } });
    // 2026-03-08 00:00 EST (05:00Z) → 2026-03-09 00:00 EDT (04:00Z): 23 h.
    expect(cal.businessMinutesBetween('2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00')).toBe(23 * 60);
    // A whole week around it holds only that Sunday.
    expect(cal.businessMinutesBetween('2026-03-02T00:00:00-05:00', '2026-03-09T00:00:00-04:00')).toBe(23 * 60);
    // 2026-11-01 00:00 EDT (04:00Z) → 2026-11-02 00:00 EST (05:00Z): 25 h.
    expect(cal.businessMinutesBetween('2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00')).toBe(25 * 60);
    // Real elapsed time: 150 min after 00:00 EST on 2026-03-08 is 07:30Z, which reads 03:30 EDT.
    expect(iso(cal.addBusinessTime('2026-03-08T00:00:00-05:00', 150))).toBe('2026-03-08T07:30:00.000Z');
    // 90 min after 00:00 EDT on 2026-11-01 is the first 01:30 (EDT, 05:30Z); 150 min is the second (EST, 06:30Z).
    expect(iso(cal.addBusinessTime('2026-11-01T00:00:00-04:00', 90))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(cal.addBusinessTime('2026-11-01T00:00:00-04:00', 150))).toBe('2026-11-01T06:30:00.000Z');
    // 1499 min: 23:59 EST (04:59Z on the 2nd). 1500 min ends at the closing midnight → next opening Sun 2026-11-08 00:00 EST (05:00Z).
    expect(iso(cal.addBusinessTime('2026-11-01T00:00:00-04:00', 1499))).toBe('2026-11-02T04:59:00.000Z');
    expect(iso(cal.addBusinessTime('2026-11-01T00:00:00-04:00', 1500))).toBe('2026-11-08T05:00:00.000Z');
    // 1380 min from 00:00 EST on 2026-03-08 ends at its closing midnight → Sun 2026-03-15 00:00 EDT (04:00Z).
    expect(iso(cal.addBusinessTime('2026-03-08T00:00:00-05:00', 1380))).toBe('2026-03-15T04:00:00.000Z');
  });

  it('moves an opening time in the spring-forward gap forward by the gap', () => {
    const cal = businessCalendar({ timeZone: 'America/New_York', hours: { sun: [['02:30', '04:00']] } });
    // 02:30 does not exist on 2026-03-08: it opens at 03:30 EDT (07:30Z) and closes at 04:00 EDT (08:00Z).
    expect(iso(cal.nextOpen('2026-03-08T01:00:00-05:00'))).toBe('2026-03-08T07:30:00.000Z');
    expect(cal.isOpen('2026-03-08T03:15:00-04:00')).toBe(false);
    expect(cal.isOpen('2026-03-08T03:30:00-04:00')).toBe(true);
    expect(cal.isOpen('2026-03-08T03:59:59.999-04:00')).toBe(true);
    expect(cal.isOpen('2026-03-08T04:00:00-04:00')).toBe(false);
    expect(cal.businessMinutesBetween('2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00')).toBe(30);
    // The Sunday before: 02:30–04:00 EST, 90 minutes.
    expect(cal.businessMinutesBetween('2026-03-01T00:00:00-05:00', '2026-03-02T00:00:00-05:00')).toBe(90);
    // From Saturday: opens 07:30Z, 30 min to the closing at 08:00Z → next opening Sun 2026-03-15 02:30 EDT (06:30Z).
    expect(iso(cal.addBusinessTime('2026-03-07T12:00:00-05:00', 30))).toBe('2026-03-15T06:30:00.000Z');
  });

  it('moves a closing time in the spring-forward gap forward by the gap', () => {
    const cal = businessCalendar({ timeZone: 'America/New_York', hours: { sun: [['01:00', '02:30']] } });
    // Opens 01:00 EST (06:00Z); 02:30 does not exist, so it closes at 03:30 EDT (07:30Z): 90 real minutes.
    expect(cal.isOpen('2026-03-08T03:15:00-04:00')).toBe(true);
    expect(cal.isOpen('2026-03-08T03:30:00-04:00')).toBe(false);
    expect(cal.businessMinutesBetween('2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00')).toBe(90);
  });

  it('takes the earlier instant of a repeated hour', () => {
    const short = businessCalendar({ timeZone: 'America/New_York', hours: { sun: [['01:00', '01:30']] } });
    // 2026-11-01: 01:00 EDT (05:00Z) to 01:30 EDT (05:30Z); the second 01:00–01:30 (EST) is closed.
    expect(short.isOpen('2026-11-01T01:15:00-04:00')).toBe(true);
    expect(short.isOpen('2026-11-01T01:15:00-05:00')).toBe(false);
    expect(short.businessMinutesBetween('2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00')).toBe(30);
    // After the first 01:30 it is closed until Sun 2026-11-08 01:00 EST (06:00Z).
    expect(iso(short.nextOpen('2026-11-01T01:45:00-04:00'))).toBe('2026-11-08T06:00:00.000Z');
    expect(iso(short.nextOpen('2026-11-01T01:05:00-05:00'))).toBe('2026-11-08T06:00:00.000Z');

    const across = businessCalendar({ timeZone: 'America/New_York', hours: { sun: [['01:30', '03:00']] } });
    // Opens at the first 01:30 (EDT, 05:30Z), closes 03:00 EST (08:00Z): 150 minutes, including the whole repeated hour.
    expect(across.isOpen('2026-11-01T01:10:00-04:00')).toBe(false);
    expect(across.isOpen('2026-11-01T01:10:00-05:00')).toBe(true);
    expect(across.businessMinutesBetween('2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00')).toBe(150);
    expect(iso(across.nextOpen('2026-11-01T00:00:00-04:00'))).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('Europe/Rome across DST', () => {
  const night = () => businessCalendar({ timeZone: 'Europe/Rome', hours: { sat: [['22:00', '06:00']] } });

  it('runs a Saturday night shift 7 hours on the spring-forward night', () => {
    const cal = night();
    // Sat 2026-03-28 22:00 CET (21:00Z) → Sun 06:00 CEST (04:00Z).
    expect(cal.businessMinutesBetween('2026-03-28T00:00:00+01:00', '2026-03-30T00:00:00+02:00')).toBe(420);
    // 240 real minutes after 22:00 CET is 01:00Z, which reads 03:00 CEST.
    expect(iso(cal.addBusinessTime('2026-03-28T22:00:00+01:00', 240))).toBe('2026-03-29T01:00:00.000Z');
    // The whole shift used up at its close → next Saturday 2026-04-04 22:00 CEST (20:00Z).
    expect(iso(cal.addBusinessTime('2026-03-28T22:00:00+01:00', 420))).toBe('2026-04-04T20:00:00.000Z');
    expect(cal.isOpen('2026-03-29T05:59:00+02:00')).toBe(true);
    expect(cal.isOpen('2026-03-29T06:00:00+02:00')).toBe(false);
  });

  it('runs it 9 hours on the fall-back night, open through both 02:00–03:00', () => {
    const cal = night();
    // Sat 2026-10-24 22:00 CEST (20:00Z) → Sun 06:00 CET (05:00Z).
    expect(cal.businessMinutesBetween('2026-10-24T00:00:00+02:00', '2026-10-26T00:00:00+01:00')).toBe(540);
    expect(cal.isOpen('2026-10-25T02:30:00+02:00')).toBe(true);
    expect(cal.isOpen('2026-10-25T02:30:00+01:00')).toBe(true);
    expect(cal.isOpen('2026-10-25T05:59:00+01:00')).toBe(true);
    expect(cal.isOpen('2026-10-25T06:00:00+01:00')).toBe(false);
    // 300 minutes after 22:00 CEST is 01:00Z, the instant of the change: it reads 02:00 CET.
    expect(iso(cal.addBusinessTime('2026-10-24T22:00:00+02:00', 300))).toBe('2026-10-25T01:00:00.000Z');
  });

  it('follows the documented example', () => {
    const cal = businessCalendar({ timeZone: 'Europe/Rome', hours: { mon: [['09:00', '17:00']] } });
    // Mon 2026-11-23 16:00 CET: 60 min, then Mon 2026-11-30 09:00 CET + 60 → 10:00 CET (09:00Z).
    expect(iso(cal.addBusinessTime('2026-11-23T16:00:00+01:00', 120))).toBe('2026-11-30T09:00:00.000Z');
  });

  it('closes a holiday on a clock-change day for all of its 23 or 25 hours', () => {
    const autumn = businessCalendar({ timeZone: 'Europe/Rome', hours: '24/7', holidays: ['2026-10-25'] });
    // Sat 00:00 CEST → Tue 00:00 CET is 73 h; the holiday takes 25 of them.
    expect(autumn.businessMinutesBetween('2026-10-24T00:00:00+02:00', '2026-10-27T00:00:00+01:00')).toBe(48 * 60);
    // Next opening: Mon 2026-10-26 00:00 CET (2026-10-25T23:00Z).
    expect(iso(autumn.nextOpen('2026-10-25T12:00:00+01:00'))).toBe('2026-10-25T23:00:00.000Z');
    expect(autumn.isOpen('2026-10-24T23:59:59.999+02:00')).toBe(true);
    expect(autumn.isOpen('2026-10-25T00:00:00+02:00')).toBe(false);

    const spring = businessCalendar({ timeZone: 'Europe/Rome', hours: '24/7', holidays: ['2026-03-29'] });
    // Sat 00:00 CET → Tue 00:00 CEST is 71 h; the holiday takes 23.
    expect(spring.businessMinutesBetween('2026-03-28T00:00:00+01:00', '2026-03-31T00:00:00+02:00')).toBe(48 * 60);
    // Next opening: Mon 2026-03-30 00:00 CEST (2026-03-29T22:00Z).
    expect(iso(spring.nextOpen('2026-03-29T01:30:00+01:00'))).toBe('2026-03-29T22:00:00.000Z');
  });
});

describe('Australia/Sydney across DST', () => {
  it('runs a Saturday night shift 9 hours in April and 7 in October', () => {
    const cal = businessCalendar({ timeZone: 'Australia/Sydney', hours: { sat: [['20:00', '04:00']] } });
    // Sat 2026-04-04 20:00 AEDT (09:00Z) → Sun 04:00 AEST (18:00Z).
    expect(cal.businessMinutesBetween('2026-04-04T00:00:00+11:00', '2026-04-06T00:00:00+10:00')).toBe(540);
    // Sat 2026-10-03 20:00 AEST (10:00Z) → Sun 04:00 AEDT (17:00Z).
    expect(cal.businessMinutesBetween('2026-10-03T00:00:00+10:00', '2026-10-05T00:00:00+11:00')).toBe(420);
    // 360 real minutes after 20:00 AEST is 16:00Z, the change itself: it reads 03:00 AEDT.
    expect(iso(cal.addBusinessTime('2026-10-03T20:00:00+10:00', 360))).toBe('2026-10-03T16:00:00.000Z');
    expect(cal.isOpen('2026-10-04T01:59:00+10:00')).toBe(true);
    expect(cal.isOpen('2026-10-04T03:59:00+11:00')).toBe(true);
    expect(cal.isOpen('2026-10-04T04:00:00+11:00')).toBe(false);
    // In April, both 02:30s are inside the shift.
    expect(cal.isOpen('2026-04-05T02:30:00+11:00')).toBe(true);
    expect(cal.isOpen('2026-04-05T02:30:00+10:00')).toBe(true);
  });

  it('opens at 02:30 on both change days: forward by the gap in October, the earlier 02:30 in April', () => {
    const cal = businessCalendar({ timeZone: 'Australia/Sydney', hours: { sun: [['02:30', '05:00']] } });
    // 2026-10-04: 02:30 is skipped → opens 03:30 AEDT (2026-10-03T16:30Z), closes 05:00 AEDT (18:00Z): 90 min.
    expect(iso(cal.nextOpen('2026-10-04T00:00:00+10:00'))).toBe('2026-10-03T16:30:00.000Z');
    expect(cal.businessMinutesBetween('2026-10-04T00:00:00+10:00', '2026-10-05T00:00:00+11:00')).toBe(90);
    // 2026-04-05: opens at the first 02:30 (AEDT, 2026-04-04T15:30Z), closes 05:00 AEST (19:00Z): 210 min.
    expect(iso(cal.nextOpen('2026-04-05T00:00:00+11:00'))).toBe('2026-04-04T15:30:00.000Z');
    expect(cal.businessMinutesBetween('2026-04-05T00:00:00+11:00', '2026-04-06T00:00:00+10:00')).toBe(210);
    // An ordinary Sunday, 2026-04-12: 150 min.
    expect(cal.businessMinutesBetween('2026-04-12T00:00:00+10:00', '2026-04-13T00:00:00+10:00')).toBe(150);
  });

  it('skips Easter: Good Friday and Easter Monday either side of the weekend of the change', () => {
    const cal = businessCalendar({
      timeZone: 'Australia/Sydney',
      hours: weekdays([['09:00', '17:00']]),
      holidays: ['2026-04-03', '2026-04-06'],
    });
    // Thu 2026-04-02 16:00 AEDT: 60 min, then Tue 2026-04-07 09:00 AEST + 60 → 10:00 AEST (00:00Z).
    expect(iso(cal.addBusinessTime('2026-04-02T16:00:00+11:00', 120))).toBe('2026-04-07T00:00:00.000Z');
    expect(cal.businessMinutesBetween('2026-04-02T16:00:00+11:00', '2026-04-07T10:00:00+10:00')).toBe(120);
    // 60 min ends at Thursday's close → next opening Tue 09:00 AEST (2026-04-06T23:00Z).
    expect(iso(cal.addBusinessTime('2026-04-02T16:00:00+11:00', 60))).toBe('2026-04-06T23:00:00.000Z');
  });
});

describe('zones without DST', () => {
  it('keeps 24-hour days on other zones’ change days (Asia/Shanghai)', () => {
    const cal = businessCalendar({ timeZone: 'Asia/Shanghai', hours: { sun: [['00:00', '24:00']] } });
    for (const day of ['2026-03-08', '2026-03-29', '2026-10-04', '2026-10-25', '2026-11-01']) {
      expect(cal.businessMinutesBetween(`${day}T00:00:00+08:00`, `${day}T23:59:59.999+08:00`), day).toBe((1440 * 60_000 - 1) / 60_000);
    }
    // A whole year open all the time is 365 × 1440 minutes.
    const always = businessCalendar({ timeZone: 'Asia/Shanghai', hours: '24/7' });
    expect(always.businessMinutesBetween('2026-01-01T00:00:00+08:00', '2027-01-01T00:00:00+08:00')).toBe(365 * 1440);
  });

  it('skips Spring Festival holidays joined to a weekend (Asia/Shanghai)', () => {
    const cal = businessCalendar({
      timeZone: 'Asia/Shanghai',
      hours: weekdays([['09:00', '18:00']]),
      holidays: ['2026-02-16', '2026-02-17'],
    });
    // Fri 2026-02-13 17:00 +08: 60 min ends at Friday's close → next opening Wed 2026-02-18 09:00 +08 (01:00Z).
    expect(iso(cal.addBusinessTime('2026-02-13T17:00:00+08:00', 60))).toBe('2026-02-18T01:00:00.000Z');
    // 61 min → Wed 09:01 +08.
    expect(iso(cal.addBusinessTime('2026-02-13T17:00:00+08:00', 61))).toBe('2026-02-18T01:01:00.000Z');
    expect(cal.isOpen('2026-02-16T10:00:00+08:00')).toBe(false);
    expect(cal.isOpen('2026-02-18T10:00:00+08:00')).toBe(true);
  });

  it('runs split days with starts before, inside, between and after the intervals (Asia/Kuala_Lumpur)', () => {
    const cal = businessCalendar({
      timeZone: 'Asia/Kuala_Lumpur',
      hours: {
        mon: [
          ['09:00', '12:30'],
          ['14:00', '18:00'],
        ],
        fri: [
          ['09:00', '12:00'],
          ['14:30', '17:00'],
        ],
      },
      holidays: ['2026-08-31'],
    });
    // The documented example: 2026-08-28 06:45Z is Fri 14:45 +08.
    expect(cal.isOpen('2026-08-28T06:45:00Z')).toBe(true);
    // Before: Mon 2026-08-24 08:00 +08 + 60 → 10:00 +08 (02:00Z).
    expect(iso(cal.addBusinessTime('2026-08-24T08:00:00+08:00', 60))).toBe('2026-08-24T02:00:00.000Z');
    // Inside, running out exactly at 12:30 → the next opening, 14:00 +08 (06:00Z).
    expect(iso(cal.addBusinessTime('2026-08-24T10:00:00+08:00', 150))).toBe('2026-08-24T06:00:00.000Z');
    // Inside, across the break: 12:00 + 30 → 12:30, then 14:00 + 30 → 14:30 +08 (06:30Z).
    expect(iso(cal.addBusinessTime('2026-08-24T12:00:00+08:00', 60))).toBe('2026-08-24T06:30:00.000Z');
    // Between: 13:00 + 0 → 14:00; 13:00 + 240 runs out at 18:00 → Fri 2026-08-28 09:00 +08 (01:00Z).
    expect(iso(cal.addBusinessTime('2026-08-24T13:00:00+08:00', 0))).toBe('2026-08-24T06:00:00.000Z');
    expect(iso(cal.addBusinessTime('2026-08-24T13:00:00+08:00', 240))).toBe('2026-08-28T01:00:00.000Z');
    // After: Mon 18:00 + 1 → Fri 09:01 +08.
    expect(iso(cal.addBusinessTime('2026-08-24T18:00:00+08:00', 1))).toBe('2026-08-28T01:01:00.000Z');
    expect(cal.businessMinutesBetween('2026-08-24T00:00:00+08:00', '2026-08-25T00:00:00+08:00')).toBe(210 + 240);
    expect(cal.businessMinutesBetween('2026-08-24T12:00:00+08:00', '2026-08-24T15:00:00+08:00')).toBe(30 + 60);
    // Fri 2026-08-28 16:00: 60 min to 17:00, Mon 08-31 is a holiday, then Fri 2026-09-04 09:00 + 30 → 09:30 +08 (01:30Z).
    expect(iso(cal.addBusinessTime('2026-08-28T16:00:00+08:00', 90))).toBe('2026-09-04T01:30:00.000Z');
    expect(cal.businessMinutesBetween('2026-08-28T16:00:00+08:00', '2026-09-04T09:30:00+08:00')).toBe(90);
  });

  it('is open at an opening instant and closed at a closing instant (Asia/Kuala_Lumpur)', () => {
    const cal = businessCalendar({
      timeZone: 'Asia/Kuala_Lumpur',
      hours: {
        mon: [
          ['09:00', '12:30'],
          ['14:00', '18:00'],
        ],
      },
    });
    expect(cal.isOpen('2026-08-24T08:59:59.999+08:00')).toBe(false);
    expect(cal.isOpen('2026-08-24T09:00:00+08:00')).toBe(true);
    expect(cal.isOpen('2026-08-24T12:29:59.999+08:00')).toBe(true);
    expect(cal.isOpen('2026-08-24T12:30:00+08:00')).toBe(false);
    expect(cal.isOpen('2026-08-24T14:00:00+08:00')).toBe(true);
    expect(cal.isOpen('2026-08-24T18:00:00+08:00')).toBe(false);
    // nextOpen at an opening instant is that instant; at a closing instant, the next opening.
    expect(iso(cal.nextOpen('2026-08-24T09:00:00+08:00'))).toBe('2026-08-24T01:00:00.000Z');
    expect(iso(cal.nextOpen('2026-08-24T12:30:00+08:00'))).toBe('2026-08-24T06:00:00.000Z');
    // Mon 18:00 → Mon 2026-08-31 09:00 +08.
    expect(iso(cal.nextOpen('2026-08-24T18:00:00+08:00'))).toBe('2026-08-31T01:00:00.000Z');
    // Zero minutes: itself when open, the next opening when closed.
    expect(iso(cal.addBusinessTime('2026-08-24T09:00:00+08:00', 0))).toBe('2026-08-24T01:00:00.000Z');
    expect(iso(cal.addBusinessTime('2026-08-24T12:30:00+08:00', 0))).toBe('2026-08-24T06:00:00.000Z');
    // From a closing instant nothing counts until the next opening.
    expect(cal.businessMinutesBetween('2026-08-24T12:30:00+08:00', '2026-08-24T14:00:00+08:00')).toBe(0);
  });
});

describe('overnight shifts', () => {
  const taipeiNights = (holidays: string[] = []) =>
    businessCalendar({ timeZone: 'Asia/Taipei', hours: { ...weekdays([['09:00', '17:00']]), sun: [['22:00', '06:00']] }, holidays });

  it('runs a Sunday night shift into Monday', () => {
    const cal = taipeiNights();
    // Sun 2026-05-31 21:00 +08 → Mon 10:00 +08: 22:00–06:00 (480) + 09:00–10:00 (60).
    expect(cal.businessMinutesBetween('2026-05-31T21:00:00+08:00', '2026-06-01T10:00:00+08:00')).toBe(540);
    expect(cal.isOpen('2026-06-01T05:59:59.999+08:00')).toBe(true);
    expect(cal.isOpen('2026-06-01T06:00:00+08:00')).toBe(false);
    // Sun 23:00 + 420 runs out at the 06:00 close → Mon 09:00 +08 (01:00Z).
    expect(iso(cal.addBusinessTime('2026-05-31T23:00:00+08:00', 420))).toBe('2026-06-01T01:00:00.000Z');
    // From Saturday, the week opens Sun 22:00 +08 (14:00Z).
    expect(iso(cal.nextOpen('2026-05-30T12:00:00+08:00'))).toBe('2026-05-31T14:00:00.000Z');
  });

  it('lets a holiday cut the after-midnight tail of the shift', () => {
    const cal = taipeiNights(['2026-06-01']);
    // Sun 22:00 + 120 runs out at midnight, where the Monday holiday begins → Tue 2026-06-02 09:00 +08 (01:00Z).
    expect(iso(cal.addBusinessTime('2026-05-31T22:00:00+08:00', 120))).toBe('2026-06-02T01:00:00.000Z');
    expect(iso(cal.addBusinessTime('2026-05-31T22:00:00+08:00', 121))).toBe('2026-06-02T01:01:00.000Z');
    expect(cal.isOpen('2026-05-31T23:59:00+08:00')).toBe(true);
    expect(cal.isOpen('2026-06-01T00:00:00+08:00')).toBe(false);
    expect(cal.isOpen('2026-06-01T03:00:00+08:00')).toBe(false);
    // Sun 22:00–24:00 (120) + Tue 09:00–17:00 (480).
    expect(cal.businessMinutesBetween('2026-05-31T00:00:00+08:00', '2026-06-03T00:00:00+08:00')).toBe(600);
  });

  it('closes only the holiday itself: a shift starting the evening of a holiday still opens after midnight', () => {
    const cal = taipeiNights(['2026-05-31']);
    expect(cal.isOpen('2026-05-31T23:00:00+08:00')).toBe(false);
    expect(cal.isOpen('2026-06-01T01:00:00+08:00')).toBe(true);
    // Next opening: Mon 00:00 +08 (2026-05-31T16:00Z).
    expect(iso(cal.nextOpen('2026-05-31T22:00:00+08:00'))).toBe('2026-05-31T16:00:00.000Z');
    // Mon 00:00–06:00 (360) + 09:00–12:00 (180).
    expect(cal.businessMinutesBetween('2026-05-31T00:00:00+08:00', '2026-06-01T12:00:00+08:00')).toBe(540);
  });

  it('treats "00:00" and "24:00" as the same closing midnight, and joins back-to-back intervals', () => {
    const zero = businessCalendar({ timeZone: 'Asia/Taipei', hours: { mon: [['18:00', '00:00']], tue: [['00:00', '02:00']] } });
    const full = businessCalendar({ timeZone: 'Asia/Taipei', hours: { mon: [['18:00', '24:00']], tue: [['00:00', '02:00']] } });
    for (const cal of [zero, full]) {
      // Mon 2026-06-01 23:00 +08 + 60 → Tue 00:00 +08 (16:00Z): open there, so the result is midnight itself.
      expect(iso(cal.addBusinessTime('2026-06-01T23:00:00+08:00', 60))).toBe('2026-06-01T16:00:00.000Z');
      expect(cal.isOpen('2026-06-02T00:00:00+08:00')).toBe(true);
      // Mon 18:00 → Tue 02:00 is one 8-hour stretch; + 480 runs out at 02:00 → Mon 2026-06-08 18:00 +08 (10:00Z).
      expect(cal.businessMinutesBetween('2026-06-01T00:00:00+08:00', '2026-06-03T00:00:00+08:00')).toBe(480);
      expect(iso(cal.addBusinessTime('2026-06-01T18:00:00+08:00', 480))).toBe('2026-06-08T10:00:00.000Z');
    }
  });
});

describe('leap days', () => {
  it('accepts 2028-02-29 as a holiday and steps over it', () => {
    // Mon 2028-02-28 16:00 +08: 60 min, Tue 02-29 holiday, Wed 2028-03-01 09:00 + 60 → 10:00 +08 (02:00Z).
    expect(iso(taipeiOffice(['2028-02-29']).addBusinessTime('2028-02-28T16:00:00+08:00', 120))).toBe('2028-03-01T02:00:00.000Z');
    // Without the holiday: Tue 2028-02-29 10:00 +08.
    expect(iso(taipeiOffice().addBusinessTime('2028-02-28T16:00:00+08:00', 120))).toBe('2028-02-29T02:00:00.000Z');
    const always = businessCalendar({ timeZone: 'UTC', hours: '24/7' });
    expect(always.businessMinutesBetween('2028-02-01T00:00:00Z', '2028-03-01T00:00:00Z')).toBe(29 * 1440);
    expect(always.businessMinutesBetween('2027-02-01T00:00:00Z', '2027-03-01T00:00:00Z')).toBe(28 * 1440);
  });

  it('refuses 2027-02-29', () => {
    const error = validationError(() => businessCalendar({ timeZone: 'UTC', hours: '24/7', holidays: ['2028-02-29', '2027-02-29'] }));
    expect(error.issues.map((i) => i.field)).toEqual(['holidays[1]']);
    expect(error.message).toContain('holidays[1]');
  });
});

describe('durations spanning years', () => {
  /** Business days (Mon–Fri, not holidays) in [from, to), counted one UTC date at a time. */
  function businessDays(from: string, to: string, holidays: string[]): number {
    let n = 0;
    for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
      const date = new Date(t);
      const weekday = date.getUTCDay();
      if (weekday !== 0 && weekday !== 6 && !holidays.includes(date.toISOString().slice(0, 10))) n++;
    }
    return n;
  }

  it('adds two years of an 8-hour weekday (Asia/Taipei)', () => {
    const cal = taipeiOffice();
    // 2026-01-05 (Mon) → 2028-01-03 (Mon) is 104 weeks: 520 business days.
    expect(businessDays('2026-01-05', '2028-01-03', [])).toBe(520);
    const minutes = 520 * 480;
    // Runs out at Fri 2027-12-31 17:00 → next opening Mon 2028-01-03 09:00 +08 (01:00Z).
    expect(iso(cal.addBusinessTime('2026-01-05T09:00:00+08:00', minutes))).toBe('2028-01-03T01:00:00.000Z');
    // One minute less: Fri 2027-12-31 16:59 +08.
    expect(iso(cal.addBusinessTime('2026-01-05T09:00:00+08:00', minutes - 1))).toBe('2027-12-31T08:59:00.000Z');
    expect(cal.businessMinutesBetween('2026-01-05T09:00:00+08:00', '2028-01-03T09:00:00+08:00')).toBe(minutes);
  });

  it('adds two years through four DST changes and US federal holidays (America/New_York)', () => {
    const holidays = [
      ...['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03', '2026-07-04', '2026-09-07'],
      ...['2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25', '2027-01-01', '2027-01-18', '2027-02-15', '2027-05-31'],
      ...['2027-06-18', '2027-07-05', '2027-09-06', '2027-10-11', '2027-11-11', '2027-11-25', '2027-12-24', '2027-12-31'],
    ];
    // 2026 and 2027 have 261 weekdays each; 23 of the holidays fall on weekdays (2026-07-04 is a Saturday).
    const days = businessDays('2026-01-01', '2028-01-01', holidays);
    expect(days).toBe(2 * 261 - 23);
    const cal = nyOffice(holidays);
    expect(cal.businessMinutesBetween('2026-01-01T00:00:00-05:00', '2028-01-01T00:00:00-05:00')).toBe(days * 480);
    // From New Year's Day (a holiday): the clock starts Fri 2026-01-02 09:00 EST. The budget runs out at
    // Thu 2027-12-30 17:00 EST (Dec 31 is a holiday) → Mon 2028-01-03 09:00 EST (14:00Z).
    expect(iso(cal.addBusinessTime('2026-01-01T00:00:00-05:00', days * 480))).toBe('2028-01-03T14:00:00.000Z');
    expect(iso(cal.addBusinessTime('2026-01-01T00:00:00-05:00', days * 480 - 1))).toBe('2027-12-30T21:59:00.000Z');
    // 24/7 over the same two years: 730 days, DST hours cancelling out.
    const always = businessCalendar({ timeZone: 'America/New_York', hours: '24/7' });
    expect(always.businessMinutesBetween('2026-01-01T00:00:00-05:00', '2028-01-01T00:00:00-05:00')).toBe(730 * 1440);
    // ... but March 2026 is an hour short.
    expect(always.businessMinutesBetween('2026-03-01T00:00:00-05:00', '2026-04-01T00:00:00-04:00')).toBe(31 * 1440 - 60);
  });
});

describe('24/7', () => {
  it('is elapsed time without holidays', () => {
    const cal = businessCalendar({ timeZone: 'America/New_York', hours: '24/7' });
    // Sat 2026-03-07 12:00 EST (17:00Z) + 24 real hours → 17:00Z, which reads 13:00 EDT on Sunday.
    expect(iso(cal.addBusinessTime('2026-03-07T12:00:00-05:00', 1440))).toBe('2026-03-08T17:00:00.000Z');
    expect(cal.isOpen('2026-03-08T03:00:00-04:00')).toBe(true);
    expect(iso(cal.nextOpen('2026-11-01T01:30:00-05:00'))).toBe('2026-11-01T06:30:00.000Z');
    // Sat 2026-10-31 00:00 EDT → Tue 2026-11-03 00:00 EST: 73 h.
    expect(cal.businessMinutesBetween('2026-10-31T00:00:00-04:00', '2026-11-03T00:00:00-05:00')).toBe(73 * 60);
  });

  it('closes the whole local day of a holiday', () => {
    const cal = businessCalendar({ timeZone: 'America/New_York', hours: '24/7', holidays: ['2026-11-01'] });
    // 73 h minus the 25-hour holiday.
    expect(cal.businessMinutesBetween('2026-10-31T00:00:00-04:00', '2026-11-03T00:00:00-05:00')).toBe(48 * 60);
    // Sat 23:00 EDT + 60 runs out at the holiday's midnight → Mon 2026-11-02 00:00 EST (05:00Z).
    expect(iso(cal.addBusinessTime('2026-10-31T23:00:00-04:00', 60))).toBe('2026-11-02T05:00:00.000Z');
    expect(iso(cal.addBusinessTime('2026-10-31T23:00:00-04:00', 61))).toBe('2026-11-02T05:01:00.000Z');
    expect(cal.isOpen('2026-11-01T01:30:00-05:00')).toBe(false);
    expect(cal.isOpen('2026-11-01T23:59:59.999-05:00')).toBe(false);
    expect(cal.isOpen('2026-11-02T00:00:00-05:00')).toBe(true);
    expect(iso(cal.nextOpen('2026-11-01T00:00:00-04:00'))).toBe('2026-11-02T05:00:00.000Z');
  });
});

describe('milliseconds and fractional minutes', () => {
  it('keeps seconds and milliseconds of the start and of fractional budgets', () => {
    const cal = taipeiOffice();
    // Mon 2026-06-01 09:00:00.123 +08 + 1.5 min → 09:01:30.123 +08.
    expect(iso(cal.addBusinessTime('2026-06-01T09:00:00.123+08:00', 1.5))).toBe('2026-06-01T01:01:30.123Z');
    // 0.001 min is 60 ms.
    expect(iso(cal.addBusinessTime('2026-06-01T09:00:00+08:00', 0.001))).toBe('2026-06-01T01:00:00.060Z');
    // Fri 2026-06-05 16:59:59.500 +08: 0.5 s on Friday, 59.5 s from Mon 2026-06-08 09:00 +08.
    expect(iso(cal.addBusinessTime('2026-06-05T16:59:59.500+08:00', 1))).toBe('2026-06-08T01:00:59.500Z');
    // Started before opening, seconds are not carried: Mon 08:59:45 + 1 → 09:01:00 +08.
    expect(iso(cal.addBusinessTime('2026-06-01T08:59:45+08:00', 1))).toBe('2026-06-01T01:01:00.000Z');
    expect(cal.businessMinutesBetween('2026-06-01T09:00:00.000+08:00', '2026-06-01T09:00:30.500+08:00')).toBe(30_500 / 60_000);
    // 30 s on Friday + 15 s on Monday.
    expect(cal.businessMinutesBetween('2026-06-05T16:59:30+08:00', '2026-06-08T09:00:15+08:00')).toBe(0.75);
    // A Date and an ISO string with another offset name the same instant.
    expect(cal.isOpen(new Date('2026-06-01T01:00:00.000Z'))).toBe(true);
    expect(cal.isOpen('2026-05-31T20:59:59.999-04:00')).toBe(false);
  });

  it('is negative when `to` is before `from`', () => {
    const cal = taipeiOffice();
    expect(cal.businessMinutesBetween('2026-06-08T09:00:15+08:00', '2026-06-05T16:59:30+08:00')).toBe(-0.75);
    expect(cal.businessMinutesBetween('2026-06-01T10:00:00+08:00', '2026-06-01T09:00:00+08:00')).toBe(-60);
    // Mon 2026-06-08 10:00 back to Mon 2026-06-01 09:00: five full days (Mon–Fri) and one hour.
    expect(cal.businessMinutesBetween('2026-06-08T10:00:00+08:00', '2026-06-01T09:00:00+08:00')).toBe(-(5 * 480 + 60));
    expect(cal.businessMinutesBetween('2026-06-01T10:00:00+08:00', '2026-06-01T10:00:00+08:00')).toBe(0);
    // Backwards over closed time only (Sun 12:00 back to Sat 12:00): zero, not -0.
    expect(cal.businessMinutesBetween('2026-06-07T12:00:00+08:00', '2026-06-06T12:00:00+08:00')).toBe(0);
  });
});

describe('validation', () => {
  it.each<[string, Parameters<typeof businessCalendar>[0], string, string, string]>([
    [
      'overlapping intervals',
      {
        timeZone: 'UTC',
        hours: {
          mon: [
            ['09:00', '12:00'],
            ['11:00', '13:00'],
          ],
        },
      },
      'hours.mon[1]',
      'overlap',
      'overlaps hours.mon[0]',
    ],
    [
      'an overnight interval overlapping the next day',
      { timeZone: 'UTC', hours: { mon: [['22:00', '06:00']], tue: [['05:00', '09:00']] } },
      'hours.tue[0]',
      'overlap',
      'overlaps hours.mon[0]',
    ],
    [
      'Sunday night overlapping Monday',
      { timeZone: 'UTC', hours: { sun: [['22:00', '02:00']], mon: [['01:00', '05:00']] } },
      'hours.mon[0]',
      'overlap',
      'overlaps hours.sun[0]',
    ],
    ['a malformed opening time', { timeZone: 'UTC', hours: { mon: [['9:00', '12:00']] } }, 'hours.mon[0][0]', 'invalid_format', 'HH:MM'],
    ['a closing time past 24:00', { timeZone: 'UTC', hours: { wed: [['09:00', '24:30']] } }, 'hours.wed[0][1]', 'invalid_format', 'HH:MM'],
    [
      'minute 60',
      {
        timeZone: 'UTC',
        hours: {
          fri: [
            ['09:00', '12:00'],
            ['12:60', '13:00'],
          ],
        },
      },
      'hours.fri[1][0]',
      'invalid_format',
      'HH:MM',
    ],
    ['opening at 24:00', { timeZone: 'UTC', hours: { mon: [['24:00', '02:00']] } }, 'hours.mon[0][0]', 'invalid', 'cannot open at 24:00'],
    ['an empty interval', { timeZone: 'UTC', hours: { mon: [['09:00', '09:00']] } }, 'hours.mon[0]', 'empty_interval', 'must not be empty'],
    ['an unknown zone', { timeZone: 'Mars/Olympus', hours: '24/7' }, 'timeZone', 'custom', 'unknown IANA time zone: expected a name such as "Europe/Rome"'],
    [
      'an impossible date',
      { timeZone: 'UTC', hours: '24/7', holidays: ['2026-02-30'] },
      'holidays[0]',
      'invalid_date',
      '2026-02-30 is not a calendar date',
    ],
    [
      'month 13',
      { timeZone: 'UTC', hours: '24/7', holidays: ['2026-12-25', '2026-13-01'] },
      'holidays[1]',
      'invalid_date',
      'not a calendar date',
    ],
    ['a malformed date', { timeZone: 'UTC', hours: '24/7', holidays: ['2026-1-1'] }, 'holidays[0]', 'invalid_format', 'YYYY-MM-DD'],
    ['a week that is never open', { timeZone: 'UTC', hours: {} }, 'hours', 'never_open', 'never open'],
    ['a week of empty days', { timeZone: 'UTC', hours: { mon: [], sun: [] } }, 'hours', 'never_open', 'never open'],
    [
      'an unknown day',
      { timeZone: 'UTC', hours: { monday: [['09:00', '17:00']] } as unknown as Hours },
      'hours.monday',
      'unknown_field',
      'unknown field',
    ],
  ])('refuses %s, naming the field', (_, spec, field, code, message) => {
    const error = validationError(() => businessCalendar(spec));
    expect(error.code).toBe('VALIDATION');
    expect(error.issues).toEqual([expect.objectContaining({ field, code, message: expect.stringContaining(message) })]);
    expect(error.message).toContain(`${field}: `);
    expect(error.message).toContain(message);
  });

  it('reports every malformed field at once', () => {
    const error = validationError(() =>
      businessCalendar({ timeZone: 'Nowhere/Else', hours: { tue: [['9', '10:00']] }, holidays: ['2026-05-01', '2026-4-30'] }),
    );
    expect(error.issues.map((i) => i.field).sort()).toEqual(['holidays[1]', 'hours.tue[0][0]', 'timeZone']);
    expect(error.message).toMatch(/timeZone: .*hours\.tue\[0\]\[0\]: .*holidays\[1\]: /);
  });

  it('reports an impossible date together with a bad interval', () => {
    const error = validationError(() =>
      businessCalendar({ timeZone: 'UTC', hours: { tue: [['10:00', '10:00']] }, holidays: ['2026-04-31'] }),
    );
    expect(error.issues.map((i) => i.field).sort()).toEqual(['holidays[0]', 'hours.tue[0]']);
  });

  it('accepts back-to-back intervals, an overnight one ending where the next day opens, and unsorted input', () => {
    const cal = businessCalendar({
      timeZone: 'UTC',
      hours: {
        mon: [
          ['13:00', '17:00'],
          ['09:00', '13:00'],
        ],
        sun: [['22:00', '09:00']],
      },
      holidays: ['2026-06-02', '2026-06-01', '2026-06-02'],
    });
    expect(cal.spec.holidays).toEqual(['2026-06-01', '2026-06-02']);
    // Sun 2026-06-07 22:00Z → Mon 17:00Z without a break.
    expect(cal.businessMinutesBetween('2026-06-07T22:00:00Z', '2026-06-08T17:00:00Z')).toBe(19 * 60);
  });

  it('draws the overlap line exactly: touching intervals are fine, one minute more is not', () => {
    const spec = (mon: [string, string][], tue: [string, string][] = []) => ({ timeZone: 'Asia/Taipei', hours: { mon, tue } });
    expect(() =>
      businessCalendar(
        spec([
          ['09:00', '12:00'],
          ['12:00', '13:00'],
        ]),
      ),
    ).not.toThrow();
    expect(
      validationError(() =>
        businessCalendar(
          spec([
            ['09:00', '12:00'],
            ['11:59', '13:00'],
          ]),
        ),
      ).issues[0]!.field,
    ).toBe('hours.mon[1]');
    expect(() => businessCalendar(spec([['22:00', '06:00']], [['06:00', '09:00']]))).not.toThrow();
    expect(validationError(() => businessCalendar(spec([['22:00', '06:00']], [['05:59', '09:00']]))).issues[0]!.field).toBe('hours.tue[0]');
    expect(() => businessCalendar({ timeZone: 'UTC', hours: { sun: [['22:00', '06:00']], mon: [['06:00', '07:00']] } })).not.toThrow();
    expect(
      validationError(() => businessCalendar({ timeZone: 'UTC', hours: { sun: [['22:00', '06:00']], mon: [['05:59', '07:00']] } }))
        .issues[0]!.field,
    ).toBe('hours.mon[0]');
    // A whole day, and an interval ending one minute before it reopens the next day.
    expect(() => businessCalendar({ timeZone: 'UTC', hours: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']] } })).not.toThrow();
    expect(() => businessCalendar({ timeZone: 'UTC', hours: { mon: [['00:01', '00:00']] } })).not.toThrow();
  });

  it('refuses bad method inputs, naming the argument', () => {
    const cal = taipeiOffice();
    for (const minutes of [-1, Number.NaN, Number.POSITIVE_INFINITY, 100 * 366 * 1440 + 1]) {
      const error = validationError(() => cal.addBusinessTime('2026-06-01T09:00:00+08:00', minutes));
      expect(error.issues.map((i) => i.field)).toEqual(['minutes']);
      expect(error.message).toContain('minutes: ');
    }
    expect(validationError(() => cal.addBusinessTime('2026-06-01T09:00:00', 1)).issues[0]!.field).toBe('start');
    expect(validationError(() => cal.businessMinutesBetween('2026-06-01T09:00:00Z', 'tomorrow')).issues[0]!.field).toBe('to');
    expect(validationError(() => cal.businessMinutesBetween(new Date(Number.NaN), '2026-06-01T09:00:00Z')).issues[0]!.field).toBe('from');
    expect(validationError(() => cal.isOpen('2026-02-30T09:00:00Z')).issues[0]!.field).toBe('at');
    expect(validationError(() => cal.nextOpen('')).issues[0]!.field).toBe('at');
  });
});

describe('the calendar object', () => {
  it('exposes its zone and answers the same for Dates and strings', () => {
    const cal: BusinessCalendar = nyOffice();
    expect(cal.timeZone).toBe('America/New_York');
    const start = '2026-03-06T16:00:00-05:00';
    expect(iso(cal.addBusinessTime(new Date(start), 120))).toBe(iso(cal.addBusinessTime(start, 120)));
  });
});
