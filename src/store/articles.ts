import type { Article, ArticleImage, Category } from "../domain/article.js";
import type { ArticleInput, ArticleRepository, UpsertResult } from "../domain/ports.js";
import type { Db } from "./database.js";
import type { ArticlesTable } from "./schema.js";

type ArticleRow = ArticlesTable;

/** Articles in the SQL store. */
export class SqlArticleRepository implements ArticleRepository {
  constructor(private readonly db: Db) {}

  async upsert(articles: ArticleInput[], now: Date): Promise<UpsertResult> {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
    if (articles.length === 0) return result;
    const stamp = now.toISOString();
    await this.db.transaction().execute(async (trx) => {
      for (const article of articles) {
        const existing = await trx
          .selectFrom("articles")
          .select(["content_hash", "first_seen_at"])
          .where("id", "=", article.id)
          .executeTakeFirst();
        if (existing && existing.content_hash === article.contentHash) {
          result.unchanged += 1;
          continue;
        }
        for (const category of article.categories) {
          await trx
            .insertInto("categories")
            .values({ slug: category.slug, name: category.name })
            .onConflict((oc) => oc.column("slug").doUpdateSet({ name: category.name }))
            .execute();
        }
        const row = toRow(article, existing?.first_seen_at ?? stamp, stamp);
        if (existing) {
          const { id: _id, first_seen_at: _first, ...changes } = row;
          await trx.updateTable("articles").set(changes).where("id", "=", article.id).execute();
          await trx.deleteFrom("article_categories").where("article_id", "=", article.id).execute();
          result.updated += 1;
        } else {
          await trx.insertInto("articles").values(row).execute();
          result.inserted += 1;
        }
        if (article.categories.length > 0) {
          await trx
            .insertInto("article_categories")
            .values(
              article.categories.map((category, position) => ({
                article_id: article.id,
                category_slug: category.slug,
                position,
              })),
            )
            .execute();
        }
      }
    });
    return result;
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
