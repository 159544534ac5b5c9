export {
  type DigestRenderOptions,
  type DigestTextOptions,
  formatDate,
  groupByCategory,
  renderDigest,
  renderDigestText,
} from "./digest.js";
export { type UiStrings, uiStrings } from "./strings.js";
