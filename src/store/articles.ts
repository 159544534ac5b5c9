import { type Kysely, sql } from "kysely";
import type { Article, ArticleImage, Category } from "../domain/article.js";
import type {
  ArticleInput,
  ArticleRepository,
  ArticleSourceLink,
  UpsertResult,
} from "../domain/ports.js";
import { containment, hammingDistance } from "../shared/simhash.js";
import type { Db } from "./database.js";
import { engineOf, joinLines } from "./dialect.js";
import type { ArticlesTable, Database } from "./schema.js";

type ArticleRow = ArticlesTable;

/** Articles in the SQL store. */
export class SqlArticleRepository implements ArticleRepository {
  constructor(private readonly db: Db) {}

  async upsert(articles: ArticleInput[], now: Date): Promise<UpsertResult> {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0, merged: 0 };
    if (articles.length === 0) return result;
    const stamp = now.toISOString();
    await this.db.transaction().execute(async (trx) => {
      for (const article of articles) {
        const outcome = await upsertOne(trx, article, stamp);
        result[outcome] += 1;
      }
    });
    return result;
  }

  async sourcesOf(articleId: string): Promise<ArticleSourceLink[]> {
    const rows = await this.db
      .selectFrom("article_sources")
      .select(["source_id", "source_key", "url", "first_seen_at"])
      .where("article_id", "=", articleId)
      .orderBy("first_seen_at")
      .orderBy("source_id")
      .execute();
    return rows.map((r) => ({
      sourceId: r.source_id,
      sourceKey: r.source_key,
      url: r.url,
      firstSeen: new Date(r.first_seen_at),
    }));
  }

  async knownUrls(canonicalUrls: string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (let i = 0; i < canonicalUrls.length; i += 500) {
      const rows = await this.db
        .selectFrom("articles")
        .select("canonical_url")
        .where("canonical_url", "in", canonicalUrls.slice(i, i + 500))
        .execute();
      for (const row of rows) if (row.canonical_url) known.add(row.canonical_url);
    }
    return known;
  }

  async latest(limit: number, categorySlug?: string): Promise<Article[]> {
    let query = this.db.selectFrom("articles").selectAll("articles");
    if (categorySlug !== undefined) {
      query = query
        .innerJoin("article_categories", "article_categories.article_id", "articles.id")
        .where("article_categories.category_slug", "=", categorySlug);
    }
    const rows = await query
      .orderBy("articles.published_at", "desc")
      .orderBy("articles.id", "asc")
      .limit(limit)
      .execute();
    return this.withCategories(rows);
  }

  async collectedAfter(after: Date, limit: number): Promise<Article[]> {
    const rows = await this.db
      .selectFrom("articles")
      .selectAll()
      .where("first_seen_at", ">", after.toISOString())
      .orderBy("published_at", "desc")
      .orderBy("id", "asc")
      .limit(limit)
      .execute();
    return this.withCategories(rows);
  }

  async firstSeenBetween(
    start: Date,
    end: Date,
    filter: { language?: string; categories?: readonly string[] },
    limit: number,
  ): Promise<Article[]> {
    let query = this.db
      .selectFrom("articles")
      .selectAll()
      .where("first_seen_at", ">=", start.toISOString())
      .where("first_seen_at", "<", end.toISOString());
    const language = filter.language?.toLowerCase().split("-")[0];
    if (language) {
      // Same primary subtag: "en" matches "en" and "en-GB", never "eng".
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(language)`, "=", language),
          // Only a plain subtag goes into a LIKE pattern, where "_" and "%" are wildcards.
          ...(/^[a-z]+$/.test(language) ? [eb(sql`lower(language)`, "like", `${language}-%`)] : []),
        ]),
      );
    }
    const categories = filter.categories ?? [];
    if (categories.length > 0) {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom("article_categories")
            .select("article_id")
            .whereRef("article_categories.article_id", "=", "articles.id")
            .where("article_categories.category_slug", "in", [...categories]),
        ),
      );
    }
    const rows = await query
      .orderBy("published_at", "desc")
      .orderBy("id", "asc")
      .limit(limit)
      .execute();
    return this.withCategories(rows);
  }

  async byIds(ids: string[]): Promise<Article[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom("articles").selectAll().where("id", "in", ids).execute();
    const articles = await this.withCategories(rows);
    const byId = new Map(articles.map((a) => [a.id, a]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async categories(): Promise<Category[]> {
    return this.db
      .selectFrom("categories")
      .select(["slug", "name"])
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("article_categories")
            .select("article_id")
            .whereRef("article_categories.category_slug", "=", "categories.slug"),
        ),
      )
      .orderBy("slug")
      .execute();
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom("articles")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async feedStamps(): Promise<
    { id: string; published: Date; author?: string; categories: string[]; version: string }[]
  > {
    // One pass over the articles without their bodies; the category slugs of each come from
    // the primary key of article_categories, joined with a newline (slugs never hold one).
    const rows = await this.db
      .selectFrom("articles")
      .select((eb) => [
        "articles.id",
        "articles.published_at",
        "articles.author",
        "articles.content_hash",
        "articles.changed_at",
        eb
          .selectFrom("article_categories")
          .select(joinLines(engineOf(this.db), sql`article_categories.category_slug`).as("c"))
          .whereRef("article_categories.article_id", "=", "articles.id")
          .as("categories"),
      ])
      .orderBy("articles.published_at", "desc")
      .orderBy("articles.id", "asc")
      .execute();
    return rows.map((row) => {
      const stamp: {
        id: string;
        published: Date;
        author?: string;
        categories: string[];
        version: string;
      } = {
        id: row.id,
        published: new Date(row.published_at),
        categories: row.categories ? row.categories.split("\n") : [],
        version: `${row.content_hash}@${row.changed_at}`,
      };
      if (row.author !== null) stamp.author = row.author;
      return stamp;
    });
  }

  private async withCategories(rows: ArticleRow[]): Promise<Article[]> {
    if (rows.length === 0) return [];
    const links = await this.db
      .selectFrom("article_categories")
      .innerJoin("categories", "categories.slug", "article_categories.category_slug")
      .select(["article_categories.article_id", "categories.slug", "categories.name"])
      .where(
        "article_categories.article_id",
        "in",
        rows.map((r) => r.id),
      )
      .orderBy("article_categories.position")
      .execute();
    const byArticle = new Map<string, Category[]>();
    for (const link of links) {
      const list = byArticle.get(link.article_id) ?? [];
      list.push({ slug: link.slug, name: link.name });
      byArticle.set(link.article_id, list);
    }
    return rows.map((row) => fromRow(row, byArticle.get(row.id) ?? []));
  }
}

function toRow(article: ArticleInput, firstSeen: string, changed: string): ArticleRow {
  return {
    id: article.id,
    source_id: article.sourceId,
    source_key: article.sourceKey,
    url: article.url,
    title: article.title,
    summary: article.summary,
    content_html: article.contentHtml,
    content_text: article.contentText,
    author: article.author ?? null,
    language: article.language,
    tags: JSON.stringify(article.tags),
    published_at: article.published.toISOString(),
    updated_at: article.updated.toISOString(),
    image: article.image ? JSON.stringify(article.image) : null,
    dateline: article.dateline ?? null,
    credit: article.credit ?? null,
    content_hash: article.contentHash,
    first_seen_at: firstSeen,
    changed_at: changed,
    canonical_url: article.canonicalUrl ?? null,
    fingerprint: article.fingerprint ?? null,
  };
}

function fromRow(row: ArticleRow, categories: Category[]): Article {
  const article: Article = {
    id: row.id,
    sourceId: row.source_id,
    sourceKey: row.source_key,
    url: row.url,
    title: row.title,
    summary: row.summary,
    contentHtml: row.content_html,
    contentText: row.content_text,
    categories,
    tags: JSON.parse(row.tags) as string[],
    language: row.language,
    published: new Date(row.published_at),
    updated: new Date(row.updated_at),
    contentHash: row.content_hash,
    firstSeen: new Date(row.first_seen_at),
  };
  if (row.author !== null) article.author = row.author;
  if (row.image !== null) article.image = JSON.parse(row.image) as ArticleImage;
  if (row.dateline !== null) article.dateline = row.dateline;
  if (row.credit !== null) article.credit = row.credit;
  return article;
}

type Trx = Kysely<Database>;

/** Fingerprints closer than this many bits are compared word by word. */
const NEAR_BITS = 12;
/** Share of the shorter text's 3-word shingles found in the other for a republished story. */
const NEAR_CONTAINMENT = 0.75;
/** How far apart in publication time a republished copy may be. */
const NEAR_WINDOW_MS = 7 * 86_400_000;

/**
 * Stores one article, recognising a story already stored: first by this source's own key,
 * then by canonical URL, then by a near-duplicate text published within a week. A story
 * seen again from another source or address is not stored twice; the new source is
 * remembered beside it. Only the source that first brought a story updates its content.
 */
async function upsertOne(
  trx: Trx,
  article: ArticleInput,
  stamp: string,
): Promise<keyof UpsertResult> {
  const link = await trx
    .selectFrom("article_sources")
    .select("article_id")
    .where("source_id", "=", article.sourceId)
    .where("source_key", "=", article.sourceKey)
    .executeTakeFirst();
  const targetId = link?.article_id ?? (await findDuplicate(trx, article));
  if (targetId === undefined) {
    const clash = await trx
      .selectFrom("articles")
      .select("id")
      .where("id", "=", article.id)
      .executeTakeFirst();
    if (clash) return updateArticle(trx, article, article.id, stamp);
    await writeCategories(trx, article);
    await trx
      .insertInto("articles")
      .values(toRow(article, stamp, stamp))
      .execute();
    await insertCategoryLinks(trx, article.id, article);
    await rememberSource(trx, article.id, article, stamp);
    return "inserted";
  }
  await rememberSource(trx, targetId, article, stamp);
  if (!link) return "merged";
  return updateArticle(trx, article, targetId, stamp);
}

async function updateArticle(
  trx: Trx,
  article: ArticleInput,
  targetId: string,
  stamp: string,
): Promise<keyof UpsertResult> {
  const existing = await trx
    .selectFrom("articles")
    .select(["content_hash", "first_seen_at", "source_id", "source_key"])
    .where("id", "=", targetId)
    .executeTakeFirstOrThrow();
  const primary =
    existing.source_id === article.sourceId && existing.source_key === article.sourceKey;
  if (!primary || existing.content_hash === article.contentHash) return "unchanged";
  await writeCategories(trx, article);
  const {
    id: _id,
    first_seen_at: _first,
    ...changes
  } = toRow(article, existing.first_seen_at, stamp);
  await trx.updateTable("articles").set(changes).where("id", "=", targetId).execute();
  await trx.deleteFrom("article_categories").where("article_id", "=", targetId).execute();
  await insertCategoryLinks(trx, targetId, article);
  return "updated";
}

async function findDuplicate(trx: Trx, article: ArticleInput): Promise<string | undefined> {
  if (article.canonicalUrl) {
    const same = await trx
      .selectFrom("articles")
      .select("id")
      .where("canonical_url", "=", article.canonicalUrl)
      .executeTakeFirst();
    if (same) return same.id;
  }
  if (!article.fingerprint) return undefined;
  const published = article.published.getTime();
  const candidates = await trx
    .selectFrom("articles")
    .select(["id", "fingerprint", "content_text"])
    .where("fingerprint", "is not", null)
    .where("published_at", ">=", new Date(published - NEAR_WINDOW_MS).toISOString())
    .where("published_at", "<=", new Date(published + NEAR_WINDOW_MS).toISOString())
    .orderBy("published_at", "desc")
    .limit(5_000)
    .execute();
  for (const candidate of candidates) {
    if (
      candidate.fingerprint &&
      hammingDistance(candidate.fingerprint, article.fingerprint) <= NEAR_BITS &&
      containment(candidate.content_text, article.contentText) >= NEAR_CONTAINMENT
    ) {
      return candidate.id;
    }
  }
  return undefined;
}

async function rememberSource(trx: Trx, articleId: string, article: ArticleInput, stamp: string) {
  await trx
    .insertInto("article_sources")
    .values({
      source_id: article.sourceId,
      source_key: article.sourceKey,
      article_id: articleId,
      url: article.url,
      first_seen_at: stamp,
      last_seen_at: stamp,
    })
    .onConflict((oc) =>
      oc
        .columns(["source_id", "source_key"])
        .doUpdateSet({ last_seen_at: stamp, url: article.url }),
    )
    .execute();
}

async function writeCategories(trx: Trx, article: ArticleInput) {
  for (const category of article.categories) {
    await trx
      .insertInto("categories")
      .values({ slug: category.slug, name: category.name })
      .onConflict((oc) => oc.column("slug").doUpdateSet({ name: category.name }))
      .execute();
  }
}

async function insertCategoryLinks(trx: Trx, articleId: string, article: ArticleInput) {
  if (article.categories.length === 0) return;
  await trx
    .insertInto("article_categories")
    .values(
      article.categories.map((category, position) => ({
        article_id: articleId,
        category_slug: category.slug,
        position,
      })),
    )
    .execute();
}
