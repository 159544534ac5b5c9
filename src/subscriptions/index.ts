export { isValidAddress, normaliseAddress } from "./address.js";
export { confirmUrl, editionUrl, pagePaths, pageUrl, subscriberLinks } from "./links.js";
export { resolveSecret } from "./secret.js";
export { type TokenAction, type TokenClaims, TokenError, TokenSigner } from "./tokens.js";
