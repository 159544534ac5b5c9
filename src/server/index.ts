export {
  contentHash,
  entityTag,
  evaluatePreconditions,
  matchesAny,
  parseHttpDate,
} from "./conditional.js";
export { contentTypeOf } from "./content-type.js";
export { RequestError, type RequestErrorReason, toErrorResponse } from "./errors.js";
export { acceptableCodings, type Coding } from "./negotiate.js";
export { publicSegments, requestPathname } from "./request-path.js";
export {
  createServer,
  type ListeningServer,
  type PublicServer,
  type ServerOptions,
} from "./server.js";
export type { ServerRequest, ServerResponse, SharedFileVersions } from "./types.js";
