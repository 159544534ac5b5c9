import { type PageLanguage, pageLanguages } from "./strings.js";

/** The page language a BCP 47 tag names ("id-ID" and the old "in" are Indonesian), if any. */
export function pageLanguageOf(tag: string | undefined | null): PageLanguage | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === "in") return "id";
  return pageLanguages.find((language) => language === primary);
}

/** The best page language of an Accept-Language header (by q-value, then order), if any. */
export function fromAcceptLanguage(header: string | undefined): PageLanguage | undefined {
  if (!header) return undefined;
  const ranges = header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.split(";");
      const q = params
        .map((param) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param)?.[1])
        .find((value) => value !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((range) => range.tag !== "" && Number.isFinite(range.q) && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const language = pageLanguageOf(range.tag);
    if (language) return language;
  }
  return undefined;
}

/**
 * The language of a page: an explicit `?lang=` (the language switch), then the subscriber's
 * own language on pages opened with a token, then Accept-Language, then the site's language,
 * then English.
 */
export function choosePageLanguage(options: {
  query?: string | null;
  subscriber?: string;
  acceptLanguage?: string;
  site: string;
}): PageLanguage {
  return (
    pageLanguageOf(options.query) ??
    pageLanguageOf(options.subscriber) ??
    fromAcceptLanguage(options.acceptLanguage) ??
    pageLanguageOf(options.site) ??
    "en"
  );
}
