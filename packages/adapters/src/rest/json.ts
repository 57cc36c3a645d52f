const UNSAFE_ALL = /[<>&\u2028\u2029]/g;
const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** `text` with markup characters and JavaScript line separators escaped (five scans of a 30 kB page cost a twentieth of one regex scan). */
function escape(text: string): string {
  const unsafe = text.includes('<') || text.includes('>') || text.includes('&') || text.includes('\u2028') || text.includes('\u2029');
  return unsafe ? text.replace(UNSAFE_ALL, (ch) => ESCAPES[ch]!) : text;
}

/**
 * The JSON of frozen records, by record. Stores hand out immutable records (memoryStore freezes
 * them) and the same hot ones are served again and again (the first history page of a busy
 * customer): serializing each once halves the cost of a page. Bounded: cleared when full.
 */
const frozenJson = new Map<object, string>();
const FROZEN_JSON_MAX = 20_000;

/** `"key"`, remembered: envelopes repeat the same few keys (`items`, `type`, `id`, `at`, …). */
const keyTexts = new Map<string, string>();
function keyJson(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (keyTexts.size >= 1000) keyTexts.clear();
    keyTexts.set(key, text);
  }
  return text;
}

const isPlain = (value: object) => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/** JSON.stringify's output for `value`, reusing the JSON of frozen plain objects. */
function write(value: unknown, depth: number): string | undefined {
  if (value === null || typeof value !== 'object') return value === undefined || typeof value === 'function' || typeof value === 'symbol' ? undefined : JSON.stringify(value);
  if (Object.isFrozen(value) && !Array.isArray(value) && isPlain(value)) {
    let text = frozenJson.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      if (frozenJson.size >= FROZEN_JSON_MAX) frozenJson.clear();
      frozenJson.set(value, text);
    }
    return text;
  }
  // Beyond the envelope of a page (page → items → item → record), or anything but plain data: as is.
  if (depth > 3 || (!Array.isArray(value) && !isPlain(value)) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (write(value[i], depth + 1) ?? 'null');
    return `${out}]`;
  }
  let out = '{';
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const part = write((value as Record<string, unknown>)[key], depth + 1);
    if (part !== undefined) out += `${out.length > 1 ? ',' : ''}${keyJson(key)}:${part}`;
  }
  return `${out}}`;
}

/**
 * `JSON.stringify(value)` with `<`, `>`, `&` and the two JavaScript line separators escaped
 * (`\u003c`…: still the same JSON value): stored text is returned verbatim, and no browser or
 * template that gets the body by mistake can read markup in it. Frozen records are serialized
 * once and their JSON reused.
 */
export function safeJson(value: unknown): string {
  return escape(write(value, 0) ?? 'null');
}

/**
 * The text of JSON responses made by the handler, by response: the Node bridge writes it straight
 * to the socket instead of reading it back through the response's byte stream (which costs more
 * than making the page). Only this package's handler and bridge use it.
 */
export const responseText = new WeakMap<Response, string>();

/** A JSON `Response` whose text the Node bridge can send without reading the body stream. */
export function textResponse(text: string, init: ResponseInit): Response {
  const response = new Response(text, init);
  responseText.set(response, text);
  return response;
}
