export { SqlArticleRepository } from "./articles.js";
export { type Db, migrateToLatest, openDatabase } from "./database.js";
export { SqlEditionRepository } from "./editions.js";
export { AtomicFileWriter } from "./files.js";
export { SqlJobStateRepository } from "./jobs.js";
export type { Database } from "./schema.js";
export { SqlSourceStateRepository } from "./source-state.js";
export { SqlSubscriberRepository } from "./subscribers.js";
