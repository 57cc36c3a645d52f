const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Fills a byte array with random bytes. */
export type RandomSource = (bytes: Uint8Array) => void;

function defaultRandom(): RandomSource {
  const crypto = (globalThis as { crypto?: { getRandomValues(array: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues) return (bytes) => void crypto.getRandomValues(bytes);
  throw new Error('@crm/core needs globalThis.crypto.getRandomValues to make ids; pass `ids` to createCrm in this runtime');
}

/** Makes a new id each call. */
export type IdGenerator = () => string;

/**
 * A ULID generator: 26 characters, lexicographically sortable by creation time, and strictly
 * increasing within this generator even for many ids in the same millisecond (monotonic ULIDs).
 *
 * @param now - the time source in epoch milliseconds (defaults to `Date.now`)
 * @param random - fills a byte array with random bytes (defaults to Web Crypto)
 */
export function ulidGenerator(now: () => number = Date.now, random: RandomSource = defaultRandom()): IdGenerator {
  let lastTime = -1;
  // 80 random bits as 16 base-32 digits; the last is incremented for ids within one millisecond.
  const digits = new Uint8Array(16);
  const pool = new Uint8Array(4096);
  let poolAt = pool.length;
  // The first 25 characters, rebuilt only when the millisecond changes or the last digit carries.
  let head = '';

  const rebuildHead = () => {
    let out = encodeTime(lastTime);
    for (let i = 0; i < 15; i++) out += ALPHABET[digits[i]!];
    head = out;
  };

  const refill = () => {
    if (poolAt + 16 > pool.length) {
      random(pool);
      poolAt = 0;
    }
    for (let i = 0; i < 16; i++) digits[i] = pool[poolAt++]! & 31;
    // Leave room to count up within a millisecond before the head must change.
    digits[15] = digits[15]! & 15;
  };

  const increment = () => {
    for (let i = 15; i >= 0; i--) {
      if (digits[i]! < 31) {
        digits[i]!++;
        if (i < 15) rebuildHead();
        return;
      }
      digits[i] = 0;
    }
    // All 80 bits overflowed within one millisecond: move to the next millisecond.
    lastTime++;
    rebuildHead();
  };

  return () => {
    const time = Math.max(now(), 0);
    if (time > lastTime) {
      lastTime = time;
      refill();
      rebuildHead();
    } else {
      increment();
    }
    return head + ALPHABET[digits[15]!]!;
  };
}

function encodeTime(ms: number): string {
  let out = '';
  let t = Math.floor(ms);
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** The creation time encoded in a ULID, in epoch milliseconds (NaN if `id` is not a ULID). */
export function ulidTime(id: string): number {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return Number.NaN;
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + ALPHABET.indexOf(id[i]!);
  return t;
}
