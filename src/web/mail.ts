import { randomUUID } from "node:crypto";
import type { MailConfig, SiteConfig } from "../config/index.js";
import type { OutgoingMessage } from "../domain/ports.js";
import { fill, type PageLanguage, pageStrings } from "./strings.js";

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Who a subscription email goes to and in which words. */
export interface MailContext {
  site: Pick<SiteConfig, "title" | "base_url">;
  mail: Pick<MailConfig, "from" | "reply_to">;
  language: PageLanguage;
  to: { address: string; name?: string };
  now: Date;
}

/** A short transactional email: paragraphs and one link, as text and as simple HTML. */
function buildMessage(
  context: MailContext,
  subject: string,
  paragraphs: string[],
  link: { label: string; href: string },
  after: string[],
): OutgoingMessage {
  const text = [...paragraphs, `${link.label}:\n${link.href}`, ...after].join("\n\n");
  const p = (line: string) => `<p style="margin:0 0 16px">${escapeHtml(line)}</p>`;
  const html = [
    "<!doctype html>",
    `<html lang="${context.language}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:24px;font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#ffffff">',
    ...paragraphs.map(p),
    `<p style="margin:24px 0"><a href="${escapeHtml(link.href)}" style="display:inline-block;padding:12px 20px;background:#0b57d0;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600">${escapeHtml(link.label)}</a></p>`,
    `<p style="margin:0 0 16px;font-size:14px;color:#4a4a4a;word-break:break-all">${escapeHtml(link.href)}</p>`,
    ...after.map(p),
    "</body></html>",
  ].join("\n");
  const host = new URL(context.site.base_url).hostname;
  const message: OutgoingMessage = {
    from: context.mail.from,
    to: context.to,
    subject,
    html,
    text: `${text}\n`,
    messageId: `<${randomUUID()}@${host}>`,
    date: context.now,
    headers: { "Auto-Submitted": "auto-generated" },
  };
  if (context.mail.reply_to) message.replyTo = context.mail.reply_to;
  return message;
}

function greeting(context: MailContext): string {
  return fill(pageStrings(context.language).confirmGreeting, {
    name: context.to.name ? ` ${context.to.name}` : "",
  });
}

/** The double opt-in email: the confirmation link and how long it stays valid. */
export function confirmationEmail(
  context: MailContext,
  link: string,
  hours: number,
): OutgoingMessage {
  const strings = pageStrings(context.language);
  const values = { site: context.site.title, hours };
  return buildMessage(
    context,
    fill(strings.confirmSubject, values),
    [greeting(context), fill(strings.confirmBody, values)],
    { label: strings.confirmButton, href: link },
    [fill(strings.confirmExpiry, values), strings.confirmIgnore],
  );
}

/** The email to an address that is already subscribed: its preferences link. */
export function alreadySubscribedEmail(context: MailContext, preferences: string): OutgoingMessage {
  const strings = pageStrings(context.language);
  const values = { site: context.site.title };
  return buildMessage(
    context,
    fill(strings.alreadySubject, values),
    [greeting(context), fill(strings.alreadyBody, values)],
    { label: strings.alreadyPreferences, href: preferences },
    [strings.alreadyIgnore],
  );
}
