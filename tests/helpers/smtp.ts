import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A message as the SMTP server received it. */
export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  /** The Message-ID header as received ("<...>"). */
  messageId: string;
  raw: string;
  /** The parsed message; an empty stand-in when the sink was started with `parse: false`. */
  parsed: ParsedMail;
}

/**
 * What the server does instead of accepting: reply with a code (4xx, 5xx), drop the
 * connection, or never answer (the client's timeout fires).
 */
export type SmtpFault = { reply: number; message?: string } | "drop" | "hang";

/** Where a fault is injected, and how many times this recipient reached that stage (1-based). */
export interface FaultContext {
  stage: "rcpt" | "data";
  recipient: string;
  attempt: number;
}

/** How the sink behaves. */
export interface SmtpSinkOptions {
  /** Refuses chosen recipients with 550 at RCPT TO. */
  reject?: (recipient: string) => boolean;
  /** Injects a fault at RCPT TO or at the end of DATA; undefined accepts. */
  fault?: (context: FaultContext) => SmtpFault | undefined;
  /** Refuses every connection with this reply (e.g. 421) right after it opens. */
  refuseConnections?: number;
  /** Milliseconds to wait before answering each message's DATA (e.g. a small random delay). */
  delayMs?: () => number;
  /** Parse each message with mailparser (default true); off for thousands of messages. */
  parse?: boolean;
}

/** A real SMTP server on loopback that keeps every message it accepts. */
export interface SmtpSink {
  port: number;
  url: string;
  messages: ReceivedMail[];
  /** Connections opened so far. */
  readonly connections: number;
  close: () => Promise<void>;
}

function smtpError(reply: number, message?: string): Error {
  const error = new Error(message ?? (reply >= 500 ? "mailbox unavailable" : "try again later"));
  (error as Error & { responseCode: number }).responseCode = reply;
  return error;
}

/** Starts an SMTP server on 127.0.0.1 on a free port, optionally misbehaving. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const seen = new Map<string, number>();
  const count = (stage: string, recipient: string) => {
    const key = `${stage}:${recipient}`;
    const attempt = (seen.get(key) ?? 0) + 1;
    seen.set(key, attempt);
    return attempt;
  };
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 50,
    onConnect(_session, callback) {
      connections += 1;
      if (options.refuseConnections) {
        callback(smtpError(options.refuseConnections, "service not available"));
        return;
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      const recipient = address.address;
      if (options.reject?.(recipient)) {
        callback(smtpError(550));
        return;
      }
      const fault = options.fault?.({
        stage: "rcpt",
        recipient,
        attempt: count("rcpt", recipient),
      });
      if (fault === "hang") return;
      if (fault === "drop") {
        dropConnection(server, session.id);
        return;
      }
      if (fault) {
        callback(smtpError(fault.reply, fault.message));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      const recipient = session.envelope.rcptTo[0]?.address ?? "";
      const fault = options.fault?.({
        stage: "data",
        recipient,
        attempt: count("data", recipient),
      });
      // A connection closed mid-DATA destroys the stream; the message is simply not kept.
      stream.on("error", () => {});
      stream.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        if (fault === "drop" && chunks.length === 1) dropConnection(server, session.id);
      });
      stream.on("end", async () => {
        if (fault === "hang" || fault === "drop") return;
        if (fault) {
          callback(smtpError(fault.reply, fault.message));
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        const delay = options.delayMs?.() ?? 0;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        messages.push({
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          messageId: /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1] ?? "",
          raw,
          parsed: options.parse === false ? ({} as ParsedMail) : await simpleParser(raw),
        });
        callback();
      });
    },
  });
  // A client killed mid-message resets its connection: expected here, not a test failure.
  server.on("error", () => {});
  server.server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Pooled clients keep idle connections open: cut them rather than wait for them.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Destroys the socket of one SMTP session. */
function dropConnection(server: SMTPServer, sessionId: string) {
  const connections = (server as unknown as { connections: Set<{ id: string; _socket: Socket }> })
    .connections;
  for (const connection of connections) {
    if (connection.id === sessionId) connection._socket.destroy();
  }
}

/** A TCP server on loopback that accepts connections and never says a word (no greeting). */
export async function startSilentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
