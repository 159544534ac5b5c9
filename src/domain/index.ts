export type { Article, ArticleDraft, ArticleImage, Category } from "./article.js";
export type {
  Delivery,
  DeliveryStatus,
  DigestContent,
  DigestSection,
  Edition,
  RenderedDigest,
} from "./digest.js";
export type { DocumentFormat, RawDocument, SourceFailure } from "./source.js";
export type { NewSubscriber, Subscriber, SubscriberStatus } from "./subscriber.js";
