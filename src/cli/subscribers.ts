import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  type Frequency,
  type NewSubscriber,
  type SubscriberStatus,
  subscriberStatuses,
} from "../domain/subscriber.js";
import {
  addSubscriber,
  exportSubscribers,
  importSubscribers,
  listSubscribers,
  normaliseLanguage,
  normaliseTimezone,
  parseCategories,
  parseFrequency,
  removeSubscriber,
} from "../pipeline/index.js";
import { isAppError } from "../shared/errors.js";
import { normaliseAddress } from "../subscriptions/index.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { formatSubscriber, formatSubscriberImport, showPath } from "./format.js";

/** Parses --language: id or en, or a tag starting with them (en-GB). */
function parseLanguageOption(value: string): string {
  const language = normaliseLanguage(value);
  if (!language) throw new InvalidArgumentError("use id or en (or a tag such as en-GB)");
  return language;
}

/** Parses --timezone: an IANA time zone name. */
function parseTimezoneOption(value: string): string {
  const zone = normaliseTimezone(value);
  if (!zone) throw new InvalidArgumentError("not a known IANA time zone (such as Asia/Jakarta)");
  return zone;
}

/** Parses --frequency: daily or weekly. */
function parseFrequencyOption(value: string): Frequency {
  const frequency = parseFrequency(value);
  if (!frequency) throw new InvalidArgumentError("use daily or weekly");
  return frequency;
}

/** Parses --categories: names or slugs separated by commas. */
function parseCategoriesOption(value: string): string[] {
  const parsed = parseCategories(value, ",");
  if ("error" in parsed) throw new InvalidArgumentError(parsed.error);
  return parsed.slugs;
}

/** The normalised address, or undefined after saying why it is refused. */
function addressOrFail(input: string, io: CliOutput): string | undefined {
  try {
    return normaliseAddress(input);
  } catch (error) {
    if (!isAppError(error, "MAIL_ADDRESS")) throw error;
    io.err(`subscribers: ${error.message}`);
    io.fail();
    return undefined;
  }
}

/** Writes lines to a file that appears whole or not at all. */
async function writeLines(file: string, lines: AsyncIterable<string>): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(temporary);
  let count = 0;
  try {
    for await (const line of lines) {
      if (!out.write(`${line}\n`)) await once(out, "drain");
      count += 1;
    }
    out.end();
    await once(out, "finish");
    await rename(temporary, file);
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  return count;
}

/**
 * `warta subscribers add|remove|list|import|export`: manages the newsletter's subscribers.
 */
export function registerSubscribers(program: Command, open: ContextOpener, io: CliOutput) {
  const group = program
    .command("subscribers")
    .description("manage newsletter subscribers: add, remove, list, import, export");

  group
    .command("add")
    .description("add one subscriber, active unless --pending (the operator vouches for consent)")
    .argument("<email>", "the subscriber's e-mail address")
    .option("--name <name>", "the subscriber's name")
    .option(
      "--language <language>",
      "digest language: id or en (default: site.language)",
      parseLanguageOption,
    )
    .option("--timezone <zone>", "IANA time zone (default: site.timezone)", parseTimezoneOption)
    .option(
      "--frequency <frequency>",
      "daily or weekly (default: newsletter.default_frequency)",
      parseFrequencyOption,
    )
    .option(
      "--categories <slugs>",
      "categories to receive, separated by commas (default: all)",
      parseCategoriesOption,
    )
    .option("--pending", "leave the subscriber pending until they confirm")
    .action(
      async (
        input: string,
        options: {
          name?: string;
          language?: string;
          timezone?: string;
          frequency?: Frequency;
          categories?: string[];
          pending?: boolean;
        },
        command: Command,
      ) => {
        const email = addressOrFail(input, io);
        if (!email) return;
        const wanted: NewSubscriber = {
          email,
          status: options.pending ? "pending" : "active",
          consentSource: "cli",
        };
        if (options.name?.trim()) wanted.name = options.name.trim();
        if (options.language) wanted.language = options.language;
        if (options.timezone) wanted.timezone = options.timezone;
        if (options.frequency) wanted.frequency = options.frequency;
        if (options.categories) wanted.categories = options.categories;
        const { subscriber, created } = await withContext(open, command.optsWithGlobals(), (ctx) =>
          addSubscriber(ctx, wanted),
        );
        if (!created) {
          io.err(
            `subscribers: ${email} is already present (${subscriber.status}); nothing changed`,
          );
          io.fail();
          return;
        }
        io.out(`subscribers: added ${subscriber.email}`);
        io.out(`  ${formatSubscriber(subscriber)}`);
      },
    );

  group
    .command("remove")
    .description("erase a subscriber: their row and every delivery to them")
    .argument("<email>", "the subscriber's e-mail address")
    .action(async (input: string, _options, command: Command) => {
      const removed = await withContext(open, command.optsWithGlobals(), (ctx) =>
        removeSubscriber(ctx, input),
      );
      if (!removed) {
        io.err(`subscribers: no subscriber has the address ${input.trim()}; nothing removed`);
        io.fail();
        return;
      }
      io.out(`subscribers: removed ${input.trim()} and their deliveries`);
    });

  group
    .command("list")
    .description("list subscribers: address, status, frequency, language, time zone, categories")
    .addOption(
      new Option("--status <status>", "only subscribers with this status").choices(
        subscriberStatuses,
      ),
    )
    .action(async (options: { status?: SubscriberStatus }, command: Command) => {
      const filter = options.status ? { status: options.status } : {};
      const count = await withContext(open, command.optsWithGlobals(), async (ctx) => {
        let n = 0;
        for await (const subscriber of listSubscribers(ctx, filter)) {
          io.out(formatSubscriber(subscriber));
          n += 1;
        }
        return n;
      });
      const which = options.status ? ` with status ${options.status}` : "";
      io.out(`${count} subscriber(s)${which}`);
    });

  group
    .command("import")
    .description(
      "add the new addresses of a CSV file with a header row; known addresses stay as they are",
    )
    .argument("<file>", "CSV: email[,name,language,timezone,frequency,categories,status]")
    .addOption(
      new Option("--status <status>", "status of lines that give none")
        .choices(["active", "pending"])
        .default("active"),
    )
    .action(async (file: string, options: { status: "active" | "pending" }, command: Command) => {
      const summary = await withContext(open, command.optsWithGlobals(), (ctx) =>
        importSubscribers({
          file: path.resolve(file),
          subscribers: ctx.subscribers,
          now: ctx.now,
          logger: ctx.logger,
          status: options.status,
        }),
      );
      for (const line of formatSubscriberImport(summary)) io.out(line);
      if (summary.badLines.length > 0) io.fail();
    });

  group
    .command("export")
    .description("write the subscribers as CSV, in the columns that import reads")
    .option("-o, --output <file>", "write to FILE instead of standard output")
    .addOption(
      new Option("--status <status>", "only subscribers with this status").choices(
        subscriberStatuses,
      ),
    )
    .action(async (options: { output?: string; status?: SubscriberStatus }, command: Command) => {
      const filter = options.status ? { status: options.status } : {};
      await withContext(open, command.optsWithGlobals(), async (ctx) => {
        const lines = exportSubscribers(ctx, filter);
        if (!options.output) {
          for await (const line of lines) io.out(line);
          return;
        }
        const file = path.resolve(options.output);
        const written = await writeLines(file, lines);
        io.out(`subscribers: exported ${written - 1} subscriber(s) to ${showPath(file)}`);
      });
    });
}
