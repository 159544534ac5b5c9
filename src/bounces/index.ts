export {
  type AppliedBounce,
  type ApplyDeps,
  applyBounceMessage,
  applyBounces,
  type BounceDelivery,
  type BounceStore,
} from "./apply.js";
export { type MaildirFileResult, processMaildir } from "./maildir.js";
export { type BounceReport, parseBounce } from "./parse.js";
