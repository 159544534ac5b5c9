export { isValidAddress, normaliseAddress } from "./address.js";
export { resolveSecret } from "./secret.js";
export { type TokenAction, type TokenClaims, TokenError, TokenSigner } from "./tokens.js";
