/**
 * Checks of text that need no schema library, shared by the zod schemas and by the modules that
 * must stay free of zod (the custom-field registry, which a browser client of the service API
 * carries).
 *
 * @module
 */

/** Whether every store can keep `value` exactly: no NUL characters, no unpaired surrogates. */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

const localeCache = new Map<string, string | null>();

/** The canonical form of a BCP 47 language tag (`zh-tw` → `zh-TW`), or null if it is not one. */
export function canonicalLocale(tag: string): string | null {
  let canonical = localeCache.get(tag);
  if (canonical === undefined) {
    try {
      canonical = Intl.getCanonicalLocales(tag)[0] ?? null;
    } catch {
      canonical = null;
    }
    if (localeCache.size > 1000) localeCache.clear();
    localeCache.set(tag, canonical);
  }
  return canonical;
}

