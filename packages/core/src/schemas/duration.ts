import * as z from 'zod/mini';
import { normalized } from './primitives.js';

const DURATION_HINT = 'expected a non-negative number of minutes or an ISO 8601 duration such as "PT4H"';
const toMinutes = (value: number | string) => (typeof value === 'number' ? value : durationToMinutes(value));

const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Minutes in an ISO 8601 duration of weeks, days, hours, minutes and seconds (`PT4H` → 240,
 * `P1DT30M` → 1470), or NaN if it is not one. Years and months are refused: their length varies.
 * A day is 24 hours here; business-time targets count business minutes, not calendar days.
 */
export function durationToMinutes(duration: string): number {
  const m = ISO_DURATION.exec(duration);
  if (!m || duration === 'P' || duration.endsWith('T')) return Number.NaN;
  const [w, d, h, min, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  return w! * 10_080 + d! * 1440 + h! * 60 + min! + s! / 60;
}

/** A length of time: minutes as a number, or an ISO 8601 duration such as `PT4H`. Stored as minutes. */
export const DurationSchema = /* @__PURE__ */ (() =>
  normalized<number | string, number>(
    z.custom((value) => typeof value === 'number' || typeof value === 'string', DURATION_HINT),
    (value) => (Number.isFinite(toMinutes(value)) && toMinutes(value) >= 0 ? null : DURATION_HINT),
    toMinutes,
  ))();
