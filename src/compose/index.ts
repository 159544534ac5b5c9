export {
  type DigestRenderOptions,
  type DigestTextOptions,
  formatDate,
  groupByCategory,
  type RenderedDigest,
  renderDigest,
  renderDigestForRecipient,
  renderDigestText,
  worstCaseRecipient,
} from "./digest.js";
export {
  escapeHtml,
  PersonalizedTemplate,
  placeholder,
  placeholders,
  type RecipientField,
  type RecipientValues,
  recipientFields,
  stripPlaceholderMarks,
} from "./personalize.js";
export { type UiStrings, uiStrings } from "./strings.js";
