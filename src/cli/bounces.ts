import path from "node:path";
import type { Command } from "commander";
import { type AppliedBounce, type MaildirFileResult, processMaildir } from "../bounces/index.js";
import { AppError } from "../shared/errors.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { showPath } from "./format.js";

/** One applied report, as a line: what it was, which delivery, what changed. */
function describeApplied(report: AppliedBounce): string {
  const parts = [report.kind + (report.status ? ` ${report.status}` : "")];
  if (report.editionId !== undefined) parts.push(`edition ${report.editionId}`);
  if (report.subscriberId !== undefined) parts.push(`subscriber ${report.subscriberId}`);
  if (report.matchedBy === "recipient") parts.push("(by recipient)");
  let outcome: string = report.outcome;
  if (report.outcome === "unmatched") outcome = "no matching delivery";
  if (report.outcome === "duplicate") outcome = "already applied";
  if (report.hardBounces !== undefined && report.outcome === "applied") {
    outcome += `, ${report.hardBounces} hard bounce(s)`;
  }
  if (report.subscriberStopped) {
    outcome += report.kind === "complaint" ? ", subscriber complained" : ", subscriber bounced";
  }
  return `${parts.join(" ")}: ${outcome}`;
}

/** Lines describing one pass over a Maildir. */
export function formatBounces(folder: string, results: MaildirFileResult[]): string[] {
  const count = (outcome: MaildirFileResult["outcome"]) =>
    results.filter((result) => result.outcome === outcome).length;
  const applied = results.flatMap((result) => result.applied);
  const lines = [
    `bounces: ${results.length} message(s) in ${showPath(path.join(folder, "new"))}/: ` +
      `${count("report")} report(s) with ${applied.filter((a) => a.outcome === "applied").length} ` +
      `change(s), ${count("not-report")} not a report, ${count("broken")} unreadable`,
  ];
  for (const result of results) {
    switch (result.outcome) {
      case "report":
        for (const report of result.applied)
          lines.push(`  ${result.file}: ${describeApplied(report)}`);
        break;
      case "not-report":
        lines.push(`  ${result.file}: not a delivery report, moved to cur/`);
        break;
      case "broken":
        lines.push(`  ${result.file}: error: ${result.error}; flagged (F) in cur/`);
        break;
      case "gone":
        lines.push(`  ${result.file}: taken by another process`);
        break;
    }
  }
  return lines;
}

/** `warta bounces`: applies the bounce reports waiting in the Maildir, once. */
export function registerBounces(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("bounces")
    .description(
      "apply the bounce and complaint reports in the bounce Maildir (new/ is read, then moved to cur/)",
    )
    .option("--maildir <dir>", "Maildir to read (default: mail.bounces.maildir)")
    .action(async (options: { maildir?: string }, command: Command) => {
      await withContext(open, command.optsWithGlobals(), async (ctx) => {
        const folder = options.maildir
          ? path.resolve(options.maildir)
          : ctx.config.mail.bounces.maildir;
        if (!folder) {
          throw new AppError(
            "USAGE",
            "bounces: no Maildir to read (set mail.bounces.maildir or pass --maildir)",
          );
        }
        if (!ctx.statusStore) throw new Error("bounces: the store offers no bounce handling");
        const results = await processMaildir(folder, {
          store: ctx.statusStore,
          bounceLimit: ctx.config.mail.bounce_limit,
          now: ctx.now,
          logger: ctx.logger,
        });
        for (const line of formatBounces(folder, results)) io.out(line);
        if (results.some((result) => result.outcome === "broken")) io.fail();
      });
    });
}
