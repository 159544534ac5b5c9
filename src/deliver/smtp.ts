import { Readable } from "node:stream";
import nodemailer, { type Transporter } from "nodemailer";
import DKIM from "nodemailer/lib/dkim";
import type SMTPPool from "nodemailer/lib/smtp-pool/index.js";
import type { Mailer, OutgoingMessage, SendReceipt } from "../domain/ports.js";
import { isAppError } from "../shared/errors.js";
import { toDeliveryError } from "./errors.js";
import { dkimOptions, type MailerSigning, toMailOptions } from "./message.js";
import { asciiAddress, parseMailbox } from "./raw.js";

/** Where and how to reach an SMTP server. */
export interface SmtpSettings {
  /** smtp:// or smtps:// URL; when given, host, port, secure and user are read from it. */
  url?: string;
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  tlsRejectUnauthorized: boolean;
}

/** How messages are spread over connections, and how long to wait for a server. */
export interface SmtpPoolSettings {
  /** Open connections per server (default 5). */
  maxConnections: number;
  /** Messages over one connection before it is replaced (default 100). */
  maxMessages: number;
  /** Most messages per second per server; 0: no limit (default). */
  ratePerSecond: number;
  /** Milliseconds to wait for the TCP connection (default 30 000). */
  connectionTimeoutMs: number;
  /** Milliseconds to wait for the greeting once connected (default 30 000). */
  greetingTimeoutMs: number;
  /** Milliseconds of silence on an open connection before giving up (default 60 000). */
  socketTimeoutMs: number;
  /** How long a server that could not be reached is passed over (default 60 000 ms). */
  cooldownMs: number;
  /** The clock of the cool-down, in milliseconds. */
  now: () => number;
}

const poolDefaults: SmtpPoolSettings = {
  maxConnections: 5,
  maxMessages: 100,
  ratePerSecond: 0,
  connectionTimeoutMs: 30_000,
  greetingTimeoutMs: 30_000,
  socketTimeoutMs: 60_000,
  cooldownMs: 60_000,
  now: () => Date.now(),
};

/** One server of the list, with its pooled transport and until when it is passed over. */
interface Server {
  where: string;
  transport: Transporter<SMTPPool.SentMessageInfo>;
  downUntil: number;
}

/**
 * What a Nodemailer transport reads of a mail it is given to send (`transport.send(mail,
 * callback)`, the interface between Nodemailer's Mailer and its transports): the compiled
 * message's envelope, Message-ID and byte stream, and the mail options.
 */
interface TransportMail {
  data: Record<string, never>;
  message: {
    getEnvelope(): { from: string; to: string[] };
    messageId(): string;
    getHeader(key: string): string | undefined;
    createReadStream(): Readable;
  };
}

/** The pooled transport under a Transporter, as Nodemailer's Mailer calls it. */
interface PoolTransport {
  send(
    mail: TransportMail,
    callback: (error: Error | null, info: SMTPPool.SentMessageInfo) => void,
  ): void;
}

/** A stream of one buffer, read once. */
function bufferStream(bytes: Buffer): Readable {
  return new Readable({
    read() {
      this.push(bytes);
      this.push(null);
    },
  });
}

/**
 * Delivers through one or more SMTP servers with Nodemailer's pooled transport. The first
 * server takes the mail; when it cannot be reached (refused, dropped, timed out, 421), the
 * message and the ones after it go to the next, and the first is tried again after a cool-down.
 * @example new SmtpMailer([primary, backup], signing, { maxConnections: 5 })
 */
export class SmtpMailer implements Mailer {
  readonly kind = "smtp";
  /** Messages worth having in flight: every connection of every server. */
  readonly concurrency: number;
  private readonly servers: Server[];
  private readonly pool: SmtpPoolSettings;
  private readonly dkim: DKIM | undefined;

  constructor(
    settings: SmtpSettings | SmtpSettings[],
    private readonly signing: MailerSigning = {},
    pool: Partial<SmtpPoolSettings> = {},
  ) {
    this.pool = { ...poolDefaults, ...pool };
    const dkim = dkimOptions(signing);
    this.dkim = dkim ? new DKIM(dkim) : undefined;
    const list = Array.isArray(settings) ? settings : [settings];
    if (list.length === 0) throw new Error("deliver: smtp: no server given");
    this.servers = list.map((server) => this.openServer(server));
    this.concurrency = this.pool.maxConnections * this.servers.length;
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    const now = this.pool.now();
    // Servers in cool-down come last, the one back soonest first; all are tried.
    const order = [...this.servers].sort((a, b) => {
      const aDown = a.downUntil > now ? a.downUntil : 0;
      const bDown = b.downUntil > now ? b.downUntil : 0;
      return aDown - bDown || this.servers.indexOf(a) - this.servers.indexOf(b);
    });
    let lastError: unknown;
    for (const server of order) {
      try {
        const info = message.raw
          ? await this.submitRaw(server, message, message.raw)
          : await server.transport.sendMail(toMailOptions(message, this.signing));
        server.downUntil = 0;
        return {
          messageId: message.raw ? message.messageId : info.messageId,
          response: info.response,
          location: server.where,
        };
      } catch (cause) {
        const error = toDeliveryError(cause, server.where);
        if (!isAppError(error, "SMTP_CONNECT")) throw error;
        server.downUntil = this.pool.now() + this.pool.cooldownMs;
        lastError = error;
      }
    }
    throw lastError;
  }

  /**
   * A message built already (a digest's raw MIME) goes straight to the server's pooled
   * transport, as Nodemailer's Mailer hands over a message it has compiled: the pool queues it
   * for a free connection, keeps the rate and the messages per connection, and retries it over
   * a new connection when an idle one was dropped. Mailer.sendMail would only wrap the bytes in
   * a MIME tree and a stream pipeline of its own for every message. DKIM signs the bytes on the
   * way, with the transport's own signer.
   */
  private submitRaw(
    server: Server,
    message: OutgoingMessage,
    raw: Buffer,
  ): Promise<SMTPPool.SentMessageInfo> {
    const envelope = {
      from: asciiAddress(this.signing.envelopeFrom ?? parseMailbox(message.from).address),
      to: [asciiAddress(message.to.address)],
    };
    const messageId = `<${message.messageId.replace(/^<|>$/g, "")}>`;
    const { dkim } = this;
    const mail: TransportMail = {
      data: {},
      message: {
        getEnvelope: () => ({ from: envelope.from, to: [...envelope.to] }),
        messageId: () => messageId,
        getHeader: (key) => (key.toLowerCase() === "message-id" ? messageId : undefined),
        createReadStream: () => (dkim ? dkim.sign(raw) : bufferStream(raw)),
      },
    };
    const transport = server.transport.transporter as unknown as PoolTransport;
    return new Promise((resolve, reject) => {
      transport.send(mail, (error, info) => (error ? reject(error) : resolve(info)));
    });
  }

  async close(): Promise<void> {
    for (const server of this.servers) server.transport.close();
  }

  /** A pooled transport for one server. */
  private openServer(settings: SmtpSettings): Server {
    const { pool } = this;
    const dkim = dkimOptions(this.signing);
    const options: SMTPPool.Options = {
      pool: true,
      maxConnections: pool.maxConnections,
      maxMessages: pool.maxMessages,
      connectionTimeout: pool.connectionTimeoutMs,
      greetingTimeout: pool.greetingTimeoutMs,
      socketTimeout: pool.socketTimeoutMs,
      tls: { rejectUnauthorized: settings.tlsRejectUnauthorized },
    };
    if (pool.ratePerSecond > 0) {
      // Nodemailer counts whole messages per window: below one a second, widen the window.
      options.rateLimit = Math.max(1, Math.round(pool.ratePerSecond));
      options.rateDelta = Math.round((1000 * options.rateLimit) / pool.ratePerSecond);
    }
    if (dkim) options.dkim = dkim;
    let where: string;
    if (settings.url) {
      const url = new URL(settings.url);
      const secure = url.protocol === "smtps:";
      where = `smtp ${url.hostname}:${url.port || (secure ? 465 : 587)}`;
      options.host = url.hostname;
      options.port = Number(url.port || (secure ? 465 : 587));
      options.secure = secure;
      const user = decodeURIComponent(url.username);
      const pass = url.password ? decodeURIComponent(url.password) : settings.password;
      if (user) options.auth = { user, pass: pass ?? "" };
    } else {
      where = `smtp ${settings.host}:${settings.port}`;
      options.host = settings.host;
      options.port = settings.port;
      options.secure = settings.secure;
      if (settings.user) options.auth = { user: settings.user, pass: settings.password ?? "" };
    }
    return { where, transport: nodemailer.createTransport(options), downUntil: 0 };
  }
}
