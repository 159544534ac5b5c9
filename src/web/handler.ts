import { createHash, timingSafeEqual } from "node:crypto";
import path from "node:path";
import { applyBounceMessage, type BounceStore } from "../bounces/index.js";
import type { Config } from "../config/index.js";
import type {
  ArticleRepository,
  EditionRepository,
  Mailer,
  SubscriberRepository,
} from "../domain/ports.js";
import { frequencies, type Subscriber } from "../domain/subscriber.js";
import { entityTag } from "../server/conditional.js";
import type { DynamicHandler, ServerRequest, ServerResponse } from "../server/types.js";
import type { Logger } from "../shared/logger.js";
import { pagePaths } from "../subscriptions/links.js";
import { TokenError, type TokenSigner } from "../subscriptions/tokens.js";
import { EditionArchive } from "./archive.js";
import { BodyError, parseForm, readBody } from "./body.js";
import { clientAddress } from "./client-ip.js";
import {
  checkPreferences,
  checkSubscription,
  type FormIssue,
  indonesianZones,
  otherZone,
  type RawFields,
} from "./forms.js";
import { choosePageLanguage, pageLanguageOf } from "./language.js";
import { type LayoutData, type PageName, PageRenderer } from "./pages.js";
import { SubscribeLimits, type WindowCounter } from "./rate-limit.js";
import { Signups } from "./signup.js";
import {
  fill,
  type PageLanguage,
  type PageStrings,
  pageLanguages,
  pageStrings,
} from "./strings.js";

/** What the subscription pages need; `createWebHandler` takes only these parts. */
export interface WebDeps {
  config: Pick<Config, "site" | "newsletter" | "server" | "mail" | "paths">;
  subscribers: SubscriberRepository;
  articles: Pick<ArticleRepository, "categories">;
  editions: Pick<EditionRepository, "ids" | "byId">;
  mailer: () => Mailer;
  tokens: TokenSigner;
  now: () => Date;
  logger: Logger;
  /** Folder of the page templates (default: <paths.templates>/pages). */
  templatesDir?: string;
  /** Answers GET /metrics (only to the bearer of access.metricsToken, when set). */
  metrics?: { render(): Promise<{ contentType: string; body: string }> };
  /** Applies the reports POSTed to /webhooks/bounce (only with access.bounceToken set). */
  statusStore?: BounceStore;
  /** Bearer tokens of the machine endpoints, from the environment. */
  access?: { bounceToken?: string; metricsToken?: string };
  /**
   * Where the subscribe limits count (`SqlRateLimits`: in the store, shared by every process
   * on it); without it each process counts in its own memory.
   */
  rateLimits?: WindowCounter;
}

/** The subscription pages as a handler for the server, plus a way to finish pending emails. */
export interface WebHandler extends DynamicHandler {
  /** Waits until the confirmation emails still being sent are gone. */
  close(): Promise<void>;
}

type Route = "subscribe" | "confirm" | "preferences" | "unsubscribe" | "archive" | "archive-slash";

const formMethods = "GET, HEAD, POST, OPTIONS";
const readMethods = "GET, HEAD, OPTIONS";
const allowed: Record<Route, string> = {
  subscribe: formMethods,
  confirm: formMethods,
  preferences: formMethods,
  unsubscribe: formMethods,
  archive: readMethods,
  "archive-slash": readMethods,
};

/** A page to send: which template, its status and data, and whether it is private. */
interface Page {
  status: number;
  name: PageName;
  language: PageLanguage;
  title: string;
  /** Pages of one person (opened with a token, or answering a form): never cached. */
  personal: boolean;
  /** The query of the language switch link besides `lang` (the token of token pages). */
  token?: string;
  data?: Record<string, unknown>;
  headers?: Record<string, string>;
}

function header(request: ServerRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * Creates the handler of the subscription pages (subscribe, confirm, preferences, unsubscribe)
 * and of the newsletter archive, at their addresses below site.base_url (see `pagePaths`).
 * A reverse proxy may pass the base URL's path on or strip it: both forms are answered.
 *
 * @example
 * const web = await createWebHandler({ ...ctx, config: ctx.config });
 * createServer({ publicDir, cacheMaxAge, logger, dynamic: web });
 */
export async function createWebHandler(deps: WebDeps): Promise<WebHandler> {
  const { config, tokens } = deps;
  const logger = deps.logger.child({ component: "web" });
  const renderer = await PageRenderer.load(
    deps.templatesDir ?? path.join(config.paths.templates, "pages"),
  );
  const limits = new SubscribeLimits({
    perIpPerHour: config.server.subscribe_per_ip,
    perAddressPerDay: config.server.subscribe_per_address,
    ...(deps.rateLimits ? { counter: deps.rateLimits } : {}),
    now: deps.now,
  });
  const signups = new Signups({
    site: config.site,
    newsletter: config.newsletter,
    mail: config.mail,
    subscribers: deps.subscribers,
    mailer: deps.mailer,
    tokens,
    limits,
    now: deps.now,
    logger,
  });
  const archive = new EditionArchive(deps.editions, config.paths.public);

  const base = new URL(config.site.base_url);
  const publicPath = (relative: string) => new URL(relative, base).pathname;
  const paths = {
    home: publicPath("./"),
    subscribe: publicPath(pagePaths.subscribe),
    confirm: publicPath(pagePaths.confirm),
    preferences: publicPath(pagePaths.preferences),
    unsubscribe: publicPath(pagePaths.unsubscribe),
    archive: publicPath(pagePaths.archive),
  };
  const routes = new Map<string, Route>();
  const addRoute = (relative: string, route: Route) => {
    routes.set(publicPath(relative), route);
    routes.set(`/${relative}`, route);
  };
  addRoute(pagePaths.subscribe, "subscribe");
  addRoute(pagePaths.confirm, "confirm");
  addRoute(pagePaths.preferences, "preferences");
  addRoute(pagePaths.unsubscribe, "unsubscribe");
  addRoute(pagePaths.archive, "archive");
  addRoute(pagePaths.archive.replace(/\/$/, ""), "archive-slash");

  const zoneChoices = [...indonesianZones] as string[];
  if (!zoneChoices.includes(config.site.timezone)) zoneChoices.push(config.site.timezone);

  const securityHeaders = {
    "content-security-policy": [
      "default-src 'none'",
      `style-src ${renderer.styleSource}`,
      "img-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
  };

  /** A link to one of the pages, in a language, with a token when it needs one. */
  function link(page: keyof typeof paths, language?: PageLanguage, token?: string): string {
    const query = new URLSearchParams();
    if (token !== undefined) query.set("token", token);
    if (language !== undefined) query.set("lang", language);
    const search = query.toString();
    return search ? `${paths[page]}?${search}` : paths[page];
  }

  function send(method: string, route: Route, page: Page): ServerResponse {
    const t = pageStrings(page.language);
    const other = pageLanguages.find((language) => language !== page.language)!;
    const switchPage = route === "archive-slash" ? "archive" : route;
    const layout: LayoutData = {
      lang: page.language,
      title: page.title,
      noindex: page.personal,
      site: { title: config.site.title },
      t,
      links: {
        home: paths.home,
        subscribe: link("subscribe", page.language),
        archive: link("archive", page.language),
      },
      switchLanguage: {
        href: link(switchPage, other, page.token),
        lang: other,
        label: pageStrings(other).switchTo,
      },
      ...page.data,
    };
    const body = Buffer.from(renderer.render(page.name, layout), "utf8");
    const headers: Record<string, string> = {
      "content-type": "text/html; charset=utf-8",
      "content-length": String(body.length),
      "content-language": page.language,
      "cache-control": page.personal
        ? "no-store"
        : `public, max-age=${config.server.cache_max_age}`,
      ...securityHeaders,
      ...page.headers,
    };
    if (!page.personal) {
      headers.vary = "Accept-Language";
      // The same bytes get the same tag on every server, as the public files do: a client may
      // revalidate with any instance behind a load balancer (the server answers the 304).
      if (page.status === 200) headers.etag = entityTag(body);
    }
    return { status: page.status, headers, body: method === "HEAD" ? null : body };
  }

  function languageOf(request: ServerRequest, url: URL, subscriber?: Subscriber): PageLanguage {
    return choosePageLanguage({
      query: url.searchParams.get("lang"),
      ...(subscriber ? { subscriber: subscriber.language } : {}),
      ...(header(request, "accept-language")
        ? { acceptLanguage: header(request, "accept-language")! }
        : {}),
      site: config.site.language,
    });
  }

  function messagePage(
    status: number,
    language: PageLanguage,
    title: keyof PageStrings,
    text: string,
    headers?: Record<string, string>,
  ): Page {
    const heading = pageStrings(language)[title] as string;
    return {
      status,
      name: "message",
      language,
      title: heading,
      personal: true,
      data: { title: heading, text },
      ...(headers ? { headers } : {}),
    };
  }

  /** The subscriber a token names, or why not: TokenError reasons, or "unknown". */
  async function holder(
    token: string,
    action: "confirm" | "manage",
  ): Promise<Subscriber | "invalid" | "expired"> {
    try {
      const claims = tokens.verify(token, action, deps.now());
      const subscriber = await deps.subscribers.byId(claims.subscriberId);
      // A token for an erased subscriber whose id was reused must not act on the newcomer.
      if (!subscriber || tokens.addressTag(subscriber.email) !== claims.addressTag) {
        return "invalid";
      }
      return subscriber;
    } catch (error) {
      if (error instanceof TokenError) return error.reason;
      throw error;
    }
  }

  /** The same answer to every refused token, whether its subscriber exists or not. */
  function tokenProblem(reason: "invalid" | "expired", language: PageLanguage): Page {
    const t = pageStrings(language);
    return reason === "expired"
      ? {
          status: 410,
          name: "link-expired",
          language,
          title: t.expiredTitle,
          personal: true,
        }
      : {
          status: 400,
          name: "link-invalid",
          language,
          title: t.invalidLinkTitle,
          personal: true,
        };
  }

  async function formView(
    raw: RawFields,
    language: PageLanguage,
    issues: readonly FormIssue[],
  ): Promise<Record<string, unknown>> {
    const t = pageStrings(language);
    const categories = await deps.articles.categories();
    let { timezone, timezoneOther } = raw;
    if (timezone !== otherZone && !zoneChoices.includes(timezone)) {
      // A zone not offered in the list (a subscriber's own, or one typed before) goes in the
      // text field, with "other" chosen.
      timezoneOther = timezone || timezoneOther;
      timezone = timezone ? otherZone : config.site.timezone;
    }
    const anchors: Record<string, string> = {
      language: `language-${pageLanguages[0]}`,
      frequency: `frequency-${frequencies[0]}`,
    };
    return {
      fields: {
        email: raw.email,
        name: raw.name,
        languages: pageLanguages.map((value) => ({
          id: `language-${value}`,
          value,
          label: pageStrings(value).languageName,
          checked: raw.language === value,
        })),
        frequencies: frequencies.map((value) => ({
          id: `frequency-${value}`,
          value,
          label: t[value],
          checked: raw.frequency === value,
        })),
        categories: categories.map((category, index) => ({
          id: `category-${index + 1}`,
          value: category.slug,
          label: category.name,
          checked: raw.categories.includes(category.slug),
        })),
        zones: [
          ...zoneChoices.map((value) => ({
            value,
            label: t.zoneNames[value] ?? value,
            selected: timezone === value,
          })),
          { value: otherZone, label: t.timezoneOther, selected: timezone === otherZone },
        ],
        timezoneOther,
      },
      errors: issues.map((issue) => ({
        anchor: anchors[issue.path] ?? issue.path,
        message: issue.message,
      })),
      fieldErrors: Object.fromEntries(issues.map((issue) => [issue.path, issue.message])),
    };
  }

  async function subscribeForm(
    status: number,
    language: PageLanguage,
    raw: RawFields,
    issues: readonly FormIssue[],
  ): Promise<Page> {
    const t = pageStrings(language);
    return {
      status,
      name: "subscribe",
      language,
      title: t.subscribeTitle,
      personal: status !== 200 || issues.length > 0,
      data: {
        intro: fill(t.subscribeIntro, { site: config.site.title }),
        action: paths.subscribe,
        ...(await formView(raw, language, issues)),
      },
    };
  }

  async function categorySlugs(): Promise<Set<string>> {
    return new Set((await deps.articles.categories()).map((category) => category.slug));
  }

  async function readForm(request: ServerRequest): Promise<URLSearchParams> {
    const bytes = await readBody(request.body, header(request, "content-length"));
    return parseForm(bytes, header(request, "content-type"));
  }

  async function subscribe(request: ServerRequest, url: URL): Promise<Page> {
    const pageLanguage = languageOf(request, url);
    if (request.method !== "POST") {
      const raw: RawFields = {
        email: "",
        name: "",
        language: pageLanguage,
        frequency: config.newsletter.default_frequency,
        categories: [],
        timezone: config.site.timezone,
        timezoneOther: "",
      };
      const page = await subscribeForm(200, pageLanguage, raw, []);
      // The bare form is the same for everyone: it may be cached, per language.
      return { ...page, personal: false };
    }
    const ip = clientAddress(
      request.remoteAddress,
      request.headers["x-forwarded-for"],
      config.server.trust_proxy,
    );
    const limit = await limits.takeIp(ip);
    if (!limit.allowed) {
      logger.info("subscribe: per-client limit reached");
      const minutes = Math.max(1, Math.ceil(limit.retryAfter / 60));
      return messagePage(
        429,
        pageLanguage,
        "tooManyTitle",
        fill(pageStrings(pageLanguage).tooManyText, { minutes }),
        { "retry-after": String(limit.retryAfter) },
      );
    }
    const form = await readForm(request);
    const language = pageLanguageOf(form.get("page_lang")) ?? pageLanguage;
    const checked = checkSubscription(form, {
      strings: pageStrings(language),
      categories: await categorySlugs(),
    });
    if (!checked.ok) return subscribeForm(400, language, checked.raw, checked.issues);
    await signups.subscribe(checked.values, ip);
    const chosen = checked.values.language;
    const t = pageStrings(chosen);
    return {
      status: 200,
      name: "check-inbox",
      language: chosen,
      title: t.checkInboxTitle,
      personal: true,
    };
  }

  /**
   * The confirmation link. Link scanners (Safe Links and the like) open every link of an email,
   * so a GET only shows a button and changes nothing; the POST of that button activates.
   */
  async function confirm(request: ServerRequest, url: URL): Promise<Page> {
    const posted = request.method === "POST";
    const form = posted ? await readForm(request) : undefined;
    const token = url.searchParams.get("token") || (form?.get("token") ?? "");
    const found = await holder(token, "confirm");
    if (typeof found === "string") return tokenProblem(found, languageOf(request, url));
    const language = pageLanguageOf(form?.get("page_lang")) ?? languageOf(request, url, found);
    if (found.status !== "active" && found.status !== "pending") {
      // Unsubscribed, bounced or complained since the link was sent: it no longer applies.
      return tokenProblem("expired", language);
    }
    const t = pageStrings(language);
    if (found.status === "pending" && !posted) {
      return {
        status: 200,
        name: "confirm",
        language,
        title: t.confirmTitle,
        personal: true,
        token,
        data: {
          text: fill(t.confirmText, { site: config.site.title, email: found.email }),
          action: link("confirm", undefined, token),
          token,
        },
      };
    }
    let subscriber = found;
    if (found.status === "pending") {
      subscriber = (await deps.subscribers.setStatus(found.id, "active", deps.now())) ?? found;
      logger.info({ subscriberId: found.id }, "subscription confirmed");
    }
    const manage = tokens.sign("manage", subscriber, deps.now());
    return {
      status: 200,
      name: "confirmed",
      language,
      title: t.confirmedTitle,
      personal: true,
      token,
      data: {
        text: fill(t.confirmedText, { site: config.site.title }),
        links: {
          home: paths.home,
          subscribe: link("subscribe", language),
          archive: link("archive", language),
          preferences: link("preferences", undefined, manage),
        },
      },
    };
  }

  async function preferencesPage(
    status: number,
    language: PageLanguage,
    subscriber: Subscriber,
    token: string,
    raw: RawFields,
    issues: readonly FormIssue[],
    saved: boolean,
  ): Promise<Page> {
    const t = pageStrings(language);
    return {
      status,
      name: "preferences",
      language,
      title: t.preferencesTitle,
      personal: true,
      token,
      data: {
        heading: fill(t.preferencesFor, { email: subscriber.email }),
        action: paths.preferences,
        token,
        saved,
        notSubscribed: subscriber.status !== "active" && subscriber.status !== "pending",
        links: {
          home: paths.home,
          subscribe: link("subscribe", language),
          archive: link("archive", language),
          unsubscribe: link("unsubscribe", undefined, token),
        },
        ...(await formView(raw, language, issues)),
      },
    };
  }

  function fieldsOf(subscriber: Subscriber): RawFields {
    return {
      email: subscriber.email,
      name: subscriber.name ?? "",
      language: pageLanguageOf(subscriber.language) ?? "en",
      frequency: subscriber.frequency,
      categories: subscriber.categories,
      timezone: subscriber.timezone,
      timezoneOther: "",
    };
  }

  async function preferences(request: ServerRequest, url: URL): Promise<Page> {
    if (request.method !== "POST") {
      const token = url.searchParams.get("token") ?? "";
      const found = await holder(token, "manage");
      if (typeof found === "string") return tokenProblem("invalid", languageOf(request, url));
      const language = languageOf(request, url, found);
      return preferencesPage(200, language, found, token, fieldsOf(found), [], false);
    }
    const form = await readForm(request);
    const token = form.get("token") ?? url.searchParams.get("token") ?? "";
    const found = await holder(token, "manage");
    if (typeof found === "string") return tokenProblem("invalid", languageOf(request, url));
    const language = pageLanguageOf(form.get("page_lang")) ?? languageOf(request, url, found);
    const checked = checkPreferences(form, {
      strings: pageStrings(language),
      categories: await categorySlugs(),
    });
    if (!checked.ok) {
      const raw = { ...checked.raw, email: found.email };
      return preferencesPage(400, language, found, token, raw, checked.issues, false);
    }
    const { values } = checked;
    const updated =
      (await deps.subscribers.update(
        found.id,
        {
          name: values.name === "" ? null : values.name,
          language: values.language,
          timezone: values.timezone,
          frequency: values.frequency,
          categories: values.categories,
        },
        deps.now(),
      )) ?? found;
    logger.info({ subscriberId: found.id }, "preferences saved");
    return preferencesPage(200, values.language, updated, token, fieldsOf(updated), [], true);
  }

  async function unsubscribe(request: ServerRequest, url: URL): Promise<Page | ServerResponse> {
    const token = url.searchParams.get("token") ?? "";
    if (request.method !== "POST") {
      // Link scanners follow links: a GET only shows the button, it never unsubscribes.
      const found = await holder(token, "manage");
      if (typeof found === "string") return tokenProblem("invalid", languageOf(request, url));
      const language = languageOf(request, url, found);
      const t = pageStrings(language);
      return {
        status: 200,
        name: "unsubscribe",
        language,
        title: t.unsubscribeTitle,
        personal: true,
        token,
        data: {
          text: fill(t.unsubscribeText, { site: config.site.title }),
          action: link("unsubscribe", undefined, token),
        },
      };
    }
    const form = await readForm(request).catch((error: unknown) => {
      // RFC 8058 allows multipart/form-data too: the body then only tells a one-click POST.
      if (error instanceof BodyError && error.reason === "unsupported-type") {
        return new URLSearchParams();
      }
      throw error;
    });
    const oneClick =
      form.get("List-Unsubscribe") === "One-Click" ||
      /^multipart\/form-data/i.test(header(request, "content-type") ?? "");
    const found = await holder(token || (form.get("token") ?? ""), "manage");
    if (found === "invalid" || found === "expired") {
      const language = languageOf(request, url);
      if (oneClick) return plain(400, pageStrings(language).invalidLinkTitle);
      return tokenProblem("invalid", language);
    }
    // Idempotent: only a subscriber still receiving mail changes; a complaint or a bounce stays.
    if (found.status === "active" || found.status === "pending") {
      await deps.subscribers.setStatus(found.id, "unsubscribed", deps.now());
      logger.info({ subscriberId: found.id, oneClick }, "unsubscribed");
    }
    const language = languageOf(request, url, found);
    const t = pageStrings(language);
    if (oneClick) return plain(200, t.unsubscribedPlain);
    return {
      status: 200,
      name: "unsubscribed",
      language,
      title: t.unsubscribedTitle,
      personal: true,
      token,
      data: { text: fill(t.unsubscribedText, { site: config.site.title }) },
    };
  }

  async function archivePage(request: ServerRequest, url: URL): Promise<Page> {
    const language = languageOf(request, url);
    const t = pageStrings(language);
    const format = new Intl.DateTimeFormat(language === "id" ? "id-ID" : "en-GB", {
      dateStyle: "long",
      timeZone: config.site.timezone,
    });
    const editions = (await archive.list()).map((edition) => ({
      href: `${paths.archive}${edition.id}/`,
      subject: edition.subject,
      datetime: edition.created.toISOString(),
      date: format.format(edition.created),
    }));
    return {
      status: 200,
      name: "archive",
      language,
      title: t.archiveTitle,
      personal: false,
      data: { editions },
    };
  }

  function plain(status: number, text: string): ServerResponse {
    const body = Buffer.from(`${text}\n`, "utf8");
    return {
      status,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "content-length": String(body.length),
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
      },
      body,
    };
  }

  async function route(
    route: Route,
    request: ServerRequest,
    url: URL,
  ): Promise<Page | ServerResponse> {
    switch (route) {
      case "subscribe":
        return subscribe(request, url);
      case "confirm":
        return confirm(request, url);
      case "preferences":
        return preferences(request, url);
      case "unsubscribe":
        return unsubscribe(request, url);
      case "archive":
        return archivePage(request, url);
      case "archive-slash":
        return {
          status: 301,
          headers: {
            location: paths.archive + url.search,
            "content-length": "0",
            "cache-control": `public, max-age=${config.server.cache_max_age}`,
          },
          body: null,
        };
    }
  }

  const machine = new Map<string, MachineRoute>();
  for (const [relative, kind] of [
    ["metrics", "metrics"],
    ["webhooks/bounce", "bounce-webhook"],
  ] as const) {
    machine.set(publicPath(relative), kind);
    machine.set(`/${relative}`, kind);
  }

  return {
    owns: (pathname) => routes.has(pathname) || machine.has(pathname),
    async handle(request, pathname) {
      const kind = machine.get(pathname);
      if (kind) return answerMachine(kind, request, deps, logger);
      const name = routes.get(pathname)!;
      const { method } = request;
      const url = new URL(request.target, "http://localhost/");
      if (method === "OPTIONS") {
        return { status: 204, headers: { allow: allowed[name] }, body: null };
      }
      if (!allowed[name].split(", ").includes(method)) {
        const language = languageOf(request, url);
        const t = pageStrings(language);
        return send(
          method,
          name,
          messagePage(405, language, "methodTitle", t.methodText, { allow: allowed[name] }),
        );
      }
      try {
        const answer = await route(name, request, url);
        return "name" in answer ? send(method, name, answer) : answer;
      } catch (error) {
        const language = languageOf(request, url);
        const t = pageStrings(language);
        if (error instanceof BodyError) {
          const page =
            error.reason === "too-large"
              ? messagePage(413, language, "tooLargeTitle", t.tooLargeText, { connection: "close" })
              : messagePage(415, language, "unsupportedTitle", t.unsupportedText);
          return send(method, name, page);
        }
        logger.error({ err: error, route: name }, "web: cannot answer a request");
        return send(method, name, messagePage(500, language, "errorTitle", t.errorText));
      }
    },
    close: () => signups.drain(),
  };
}

type MachineRoute = "metrics" | "bounce-webhook";

/** Largest bounce message accepted by the webhook: a report quoting a whole digest. */
const maxBounceBytes = 1024 * 1024;

function machineAnswer(
  status: number,
  type: string,
  text: string,
  method: string,
  headers: Record<string, string> = {},
): ServerResponse {
  const body = Buffer.from(text, "utf8");
  return {
    status,
    headers: {
      "content-type": type,
      "content-length": String(body.length),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...headers,
    },
    body: method === "HEAD" ? null : body,
  };
}

/**
 * Whether an Authorization header carries `Bearer <token>`. Both sides are hashed first, so the
 * comparison takes the same time whatever the length or content of the guess.
 */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "")?.[1] ?? "";
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(token)) && given !== "";
}

/**
 * The endpoints for machines: GET /metrics (Prometheus text) and POST /webhooks/bounce (one raw
 * bounce or complaint message, message/rfc822 or text/plain, applied to the store). Without its
 * token configured the webhook does not exist (404); a wrong token gets 401.
 */
async function answerMachine(
  kind: MachineRoute,
  request: ServerRequest,
  deps: WebDeps,
  logger: Logger,
): Promise<ServerResponse> {
  const { method } = request;
  const text = "text/plain; charset=utf-8";
  const methods = kind === "metrics" ? ["GET", "HEAD"] : ["POST"];
  const token = kind === "metrics" ? deps.access?.metricsToken : deps.access?.bounceToken;
  const available = kind === "metrics" ? deps.metrics : deps.statusStore && token;
  if (!available) return machineAnswer(404, text, "Not Found\n", method);
  const allow = [...methods, "OPTIONS"].join(", ");
  if (method === "OPTIONS") return { status: 204, headers: { allow }, body: null };
  if (!methods.includes(method)) {
    return machineAnswer(405, text, "Method Not Allowed\n", method, { allow });
  }
  if (token !== undefined && !bearerMatches(header(request, "authorization"), token)) {
    logger.warn({ route: kind }, "web: refused a request without the right bearer token");
    return machineAnswer(401, text, "Unauthorized\n", method, {
      "www-authenticate": 'Bearer realm="warta"',
    });
  }
  if (kind === "metrics") {
    const metrics = await deps.metrics!.render();
    return machineAnswer(200, metrics.contentType, metrics.body, method);
  }
  const type = header(request, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "message/rfc822" && type !== "text/plain") {
    return machineAnswer(415, text, "Send the message as message/rfc822 or text/plain\n", method);
  }
  let raw: Buffer;
  try {
    raw = await readBody(request.body, header(request, "content-length"), maxBounceBytes);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    return machineAnswer(413, text, "Payload Too Large\n", method, { connection: "close" });
  }
  try {
    const applied = await applyBounceMessage(raw, {
      store: deps.statusStore!,
      bounceLimit: deps.config.mail.bounce_limit,
      now: deps.now,
      logger,
    });
    // A message that is no report is accepted too (200, no reports): retrying will not help.
    const json = JSON.stringify({ reports: applied.length, results: applied });
    return machineAnswer(200, "application/json", `${json}\n`, method);
  } catch (error) {
    logger.error({ err: error, route: kind }, "web: cannot apply a bounce report");
    return machineAnswer(500, text, "Internal Server Error\n", method);
  }
}
