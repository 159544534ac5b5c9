import PostalMime from "postal-mime";

/**
 * What a report about a sent message says: a delivery failed for good (hard bounce), failed for
 * now (soft: the server will keep trying or gave up on a temporary error), was delayed, or the
 * recipient marked it as spam (a complaint, from an ARF feedback report).
 */
export interface BounceReport {
  kind: "hard" | "soft" | "delayed" | "complaint";
  /** Message-ID of the original message, with angle brackets, when the report carries it. */
  messageId?: string;
  /** The recipient the report is about (Final-Recipient, Original-Rcpt-To), lower-cased. */
  recipient?: string;
  /** RFC 3463 status code, such as 5.1.1. */
  status?: string;
  /** What the remote server said, for the delivery log. */
  diagnostic?: string;
}

/** Fields of one header-style block ("Name: value", folded lines joined), by lower-case name. */
type Fields = Map<string, string>;

/**
 * Reads a delivery status notification (RFC 3464, multipart/report; report-type=delivery-status)
 * or an abuse feedback report (RFC 5965, report-type=feedback-report) and says, per recipient,
 * what happened. Any other message yields an empty list.
 */
export async function parseBounce(raw: string | Uint8Array): Promise<BounceReport[]> {
  // forceRfc822Attachments: an attached original message stays one part (its headers are read).
  const email = await PostalMime.parse(raw, {
    attachmentEncoding: "utf8",
    forceRfc822Attachments: true,
  });
  const parts = email.attachments.map((attachment) => ({
    type: attachment.mimeType.toLowerCase(),
    text:
      typeof attachment.content === "string"
        ? attachment.content
        : new TextDecoder().decode(attachment.content),
  }));
  const originalHeaders = parts.find(
    (part) => part.type === "text/rfc822-headers" || part.type === "message/rfc822",
  )?.text;
  const messageId = originalHeaders ? findMessageId(originalHeaders) : undefined;

  const feedback = parts.find((part) => part.type === "message/feedback-report");
  if (feedback) {
    const fields = parseBlocks(feedback.text)[0] ?? new Map();
    const type = (fields.get("feedback-type") ?? "").toLowerCase();
    if (type !== "abuse" && type !== "fraud") return [];
    const report: BounceReport = { kind: "complaint" };
    if (messageId) report.messageId = messageId;
    const recipient = address(fields.get("original-rcpt-to"));
    if (recipient) report.recipient = recipient;
    return [report];
  }

  const status = parts.find(
    (part) =>
      part.type === "message/delivery-status" || part.type === "message/global-delivery-status",
  );
  if (!status) return [];
  // The first block is about the message (Reporting-MTA...), each next one about a recipient.
  const [, ...recipients] = parseBlocks(status.text);
  const reports: BounceReport[] = [];
  for (const fields of recipients) {
    const action = (fields.get("action") ?? "").toLowerCase();
    const code = /\b([245])\.\d{1,3}\.\d{1,3}\b/.exec(fields.get("status") ?? "")?.[0];
    let kind: BounceReport["kind"];
    if (action === "failed") kind = code?.startsWith("4") ? "soft" : "hard";
    else if (action === "delayed") kind = "delayed";
    else continue; // delivered, relayed, expanded: nothing went wrong.
    const report: BounceReport = { kind };
    if (messageId) report.messageId = messageId;
    const recipient = address(fields.get("final-recipient") ?? fields.get("original-recipient"));
    if (recipient) report.recipient = recipient;
    if (code) report.status = code;
    const diagnostic = fields.get("diagnostic-code");
    if (diagnostic) report.diagnostic = diagnostic.replace(/^[a-z-]+;\s*/i, "");
    reports.push(report);
  }
  return reports;
}

/** Splits header-style text into blocks at blank lines and reads each block's fields. */
function parseBlocks(text: string): Fields[] {
  const blocks: Fields[] = [];
  for (const chunk of text.replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/)) {
    const fields: Fields = new Map();
    let last: string | undefined;
    for (const line of chunk.split("\n")) {
      if (/^[ \t]/.test(line) && last) {
        fields.set(last, `${fields.get(last)} ${line.trim()}`);
        continue;
      }
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      fields.set(last, line.slice(colon + 1).trim());
    }
    if (fields.size > 0) blocks.push(fields);
  }
  return blocks;
}

/** "rfc822; Budi@Example.net" → "budi@example.net". */
function address(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const bare = value.includes(";") ? value.slice(value.indexOf(";") + 1) : value;
  const cleaned = bare.trim().replace(/^<|>$/g, "").toLowerCase();
  return cleaned.includes("@") ? cleaned : undefined;
}

function findMessageId(headers: string): string | undefined {
  const unfolded = headers.replace(/\r?\n[ \t]+/g, " ");
  return /^message-id:\s*(<[^>\s]+>)/im.exec(unfolded)?.[1];
}
