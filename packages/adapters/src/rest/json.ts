const UNSAFE = /[<>&\u2028\u2029]/;
const UNSAFE_ALL = /[<>&\u2028\u2029]/g;
const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * JSON with `<`, `>`, `&` and the two JavaScript line separators escaped (still the same JSON
 * value): stored text is returned verbatim, and this way no browser or template that gets the
 * body by mistake can read markup in it.
 */
export function safeJson(value: unknown): string {
  const text = JSON.stringify(value);
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, (ch) => ESCAPES[ch]!) : text;
}
