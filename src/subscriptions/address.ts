import { domainToASCII } from "node:url";
import validator from "validator";
import { AppError } from "../shared/errors.js";

/** Longest address SMTP can carry (RFC 5321 path limit less the angle brackets). */
const MAX_ADDRESS = 254;

/**
 * Validates an e-mail address and returns its normalised form: trimmed, Unicode NFC,
 * lower-cased (addresses are unique without regard to case), domain in ASCII (punycode).
 * Throws AppError MAIL_ADDRESS naming the address when it cannot receive mail.
 */
export function normaliseAddress(input: string): string {
  const trimmed = input.trim().normalize("NFC");
  const at = trimmed.lastIndexOf("@");
  const fail = (why: string): never => {
    throw new AppError("MAIL_ADDRESS", `not an e-mail address: "${input.trim()}" (${why})`);
  };
  if (at <= 0 || at === trimmed.length - 1) fail("it needs a name, an @ and a domain");
  const local = trimmed.slice(0, at).toLowerCase();
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  if (!domain) fail("the domain is not valid");
  const address = `${local}@${domain}`;
  if (address.length > MAX_ADDRESS) fail(`longer than ${MAX_ADDRESS} characters`);
  if (
    !validator.isEmail(address, {
      allow_display_name: false,
      require_tld: true,
      allow_utf8_local_part: true,
      allow_ip_domain: false,
    })
  ) {
    fail("not a valid address");
  }
  return address;
}

/** Tells whether normaliseAddress accepts the input. */
export function isValidAddress(input: string): boolean {
  try {
    normaliseAddress(input);
    return true;
  } catch {
    return false;
  }
}
