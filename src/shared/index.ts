export {
  findNewsDate,
  isValidTimeZone,
  type NewsDateMatch,
  parseNewsDate,
  zonedTimeToDate,
} from "./dates.js";
export { AppError, type ErrorCode, ErrorCodes, errorMessage, isAppError } from "./errors.js";
export { sha256Hex } from "./hash.js";
export { createLogger, type Logger, silentLogger } from "./logger.js";
export { slugify } from "./slug.js";
