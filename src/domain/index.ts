export type { Article, ArticleDraft, ArticleImage, Category } from "./article.js";
export type {
  Delivery,
  DeliveryStatus,
  DigestContent,
  DigestSection,
  Edition,
  RenderedDigest,
} from "./digest.js";
export type { ExtractionRules, FeedEntry, FeedFormat, ParsedFeed } from "./feed.js";
export type { Fetcher, FetchRequest, FetchResult } from "./fetch.js";
export type {
  ArticleInput,
  ArticleRepository,
  ArticleSourceLink,
  EditionRepository,
  FileWriter,
  Mailer,
  NewEdition,
  OutgoingMessage,
  SendReceipt,
  SourceState,
  SourceStateRepository,
  SubscriberRepository,
  UpsertResult,
} from "./ports.js";
export type { DocumentFormat, RawDocument, SourceFailure } from "./source.js";
export type { NewSubscriber, Subscriber, SubscriberStatus } from "./subscriber.js";
