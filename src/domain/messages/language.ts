/**
 * Which language an answer's messages are in, from the request's Accept-Language (D98): the
 * language range with the highest q-value that names one of LANGUAGES by its primary subtag
 * (`ru-RU` → ru; `zh`, `zh-CN`, `zh-Hans`, and also `zh-TW`/`zh-Hant` → zh, the Simplified
 * Chinese there is), ties going to the earlier range; `*` or nothing known → English.
 */
export const LANGUAGES = ['en', 'ru', 'nl', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

const KNOWN = new Set<string>(LANGUAGES);

/** Headers seen and the language each chose: clients send the same few again and again. Bounded, emptied when full. */
const chosen = new Map<string, Language>();
const MAX_REMEMBERED = 512;
/** A longer header is read only this far (a client's real list is a few dozen characters). */
const MAX_HEADER_READ = 1024;

export function languageOf(acceptLanguage: string | readonly string[] | undefined): Language {
  if (acceptLanguage === undefined) return 'en';
  const header = typeof acceptLanguage === 'string' ? acceptLanguage : acceptLanguage.join(',');
  if (header === '') return 'en';
  let language = chosen.get(header);
  if (language === undefined) {
    language = negotiate(header.slice(0, MAX_HEADER_READ));
    if (chosen.size >= MAX_REMEMBERED) chosen.clear();
    chosen.set(header, language);
  }
  return language;
}

function negotiate(header: string): Language {
  let best: Language = 'en';
  let bestQ = 0;
  for (const range of header.split(',')) {
    const [tag = '', ...parameters] = range.split(';');
    const primary = tag.trim().split('-')[0]!.toLowerCase();
    if (!KNOWN.has(primary)) continue;
    let q = 1;
    for (const parameter of parameters) {
      const [name, value] = parameter.split('=').map((part) => part.trim());
      if (name?.toLowerCase() === 'q') q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value ?? '') ? Number(value) : 0;
    }
    if (q > bestQ) {
      best = primary as Language;
      bestQ = q;
    }
  }
  return best;
}
