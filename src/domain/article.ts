/** An image attached to an article (lead image, enclosure). */
export interface ArticleImage {
  url: string;
  alt?: string;
  /** MIME type, when known (image/jpeg, ...). */
  type?: string;
  /** Size in bytes, when known. */
  length?: number;
  width?: number;
  height?: number;
}

/**
 * What an extractor recovers from one source document, before the pipeline gives it an
 * identity. Every field the document did not carry is left undefined.
 */
export interface ArticleDraft {
  /** Identifier chosen by the author of the document (front matter `id`), if any. */
  id?: string;
  title: string;
  /** Absolute URL of the article on the web, if known. */
  url?: string;
  /** Short URL-safe name (front matter `slug`), used to build a URL when none is given. */
  slug?: string;
  published?: Date;
  updated?: Date;
  author?: string;
  /** Category display names, in the document's order. */
  categories: string[];
  tags: string[];
  /** BCP 47 language tag (id, en, ...). */
  language?: string;
  /** Plain-text summary. */
  summary?: string;
  /** Body as HTML (not yet sanitised). */
  contentHtml: string;
  /** Body as plain text, paragraphs separated by "\n". */
  contentText: string;
  image?: ArticleImage;
  /** Place the story was filed from ("Astana"). */
  dateline?: string;
  /** Source credit ("Daily Sabah"). */
  credit?: string;
}

/** A stored article: a draft with its identity, provenance and normalised fields. */
export interface Article {
  /** Stable identifier: the same source document always yields the same id. */
  id: string;
  sourceId: string;
  /** Key of the document inside its source (a relative file path, a GUID, a URL). */
  sourceKey: string;
  url: string;
  title: string;
  summary: string;
  contentHtml: string;
  contentText: string;
  author?: string;
  categories: Category[];
  tags: string[];
  language: string;
  published: Date;
  updated: Date;
  image?: ArticleImage;
  dateline?: string;
  credit?: string;
  /** Hash of the normalised content: a change means the article was edited. */
  contentHash: string;
  /** When warta first stored this article (never changes). */
  firstSeen: Date;
}

/** A category with its display name and URL slug. */
export interface Category {
  slug: string;
  name: string;
}
