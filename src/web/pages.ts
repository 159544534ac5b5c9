import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import Handlebars from "handlebars";
import { AppError, errorMessage } from "../shared/errors.js";

/** The pages, one template file each in templates/pages/<name>.hbs. */
export const pageNames = [
  "subscribe",
  "check-inbox",
  "confirm",
  "confirmed",
  "link-expired",
  "link-invalid",
  "preferences",
  "unsubscribe",
  "unsubscribed",
  "archive",
  "message",
] as const;
export type PageName = (typeof pageNames)[number];

/** Partials the pages share, in templates/pages/partials/<name>.hbs. */
const partialNames = ["preference-fields", "errors"] as const;

/** The templates bundled with warta, used for any file the operator's folder lacks. */
export const bundledPagesDir = path.resolve(import.meta.dirname, "..", "..", "templates", "pages");

/** What every page's layout receives besides the page's own body. */
export interface LayoutData {
  lang: string;
  title: string;
  /** Whether search engines should leave the page out (pages opened with a token). */
  noindex: boolean;
  [key: string]: unknown;
}

/**
 * The page templates: a layout wrapping one template per page, with Handlebars escaping
 * every `{{value}}`. The stylesheet (style.css) is inlined into the layout, and its hash
 * goes into the Content-Security-Policy, so that no other style and no script can run.
 */
export class PageRenderer {
  private constructor(
    private readonly layout: Handlebars.TemplateDelegate,
    private readonly pages: ReadonlyMap<PageName, Handlebars.TemplateDelegate>,
    private readonly style: string,
    /** CSP source of the inline stylesheet: 'sha256-…'. */
    readonly styleSource: string,
  ) {}

  /**
   * Reads and compiles the templates from `dir` (the operator's templates/pages), taking each
   * file it lacks from the bundled templates. Throws AppError TEMPLATE_READ or TEMPLATE_RENDER.
   */
  static async load(dir: string): Promise<PageRenderer> {
    const hb = Handlebars.create();
    const read = async (file: string) => {
      for (const folder of [dir, bundledPagesDir]) {
        try {
          return { source: await readFile(path.join(folder, file), "utf8"), file };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
            throw new AppError(
              "TEMPLATE_READ",
              `web: cannot read ${path.join(folder, file)}: ${errorMessage(error)}`,
              { cause: error },
            );
          }
        }
      }
      throw new AppError("TEMPLATE_READ", `web: no page template ${file} in ${dir}`);
    };
    const compile = (source: string, file: string) => {
      try {
        // Compiling at once (not lazily on first render) reports syntax errors at start-up.
        hb.precompile(source, { strict: false });
        return hb.compile(source, { strict: false });
      } catch (error) {
        throw new AppError("TEMPLATE_RENDER", `web: ${file}: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    };
    for (const name of partialNames) {
      const { source, file } = await read(`partials/${name}.hbs`);
      hb.registerPartial(name, compile(source, file));
    }
    const layoutFile = await read("layout.hbs");
    const layout = compile(layoutFile.source, layoutFile.file);
    const pages = new Map<PageName, Handlebars.TemplateDelegate>();
    for (const name of pageNames) {
      const { source, file } = await read(`${name}.hbs`);
      pages.set(name, compile(source, file));
    }
    const style = (await read("style.css")).source;
    const hash = createHash("sha256").update(style, "utf8").digest("base64");
    return new PageRenderer(layout, pages, style, `'sha256-${hash}'`);
  }

  /** Renders a page inside the layout. Throws AppError TEMPLATE_RENDER naming the page. */
  render(page: PageName, data: LayoutData): string {
    try {
      const body = this.pages.get(page)!(data);
      return this.layout({ ...data, body, style: this.style });
    } catch (error) {
      throw new AppError("TEMPLATE_RENDER", `web: ${page}.hbs: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }
}
