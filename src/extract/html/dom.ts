import { parseHTML } from "linkedom";

/*
 * The small part of the DOM that the extractor uses. The project compiles without the DOM
 * library, so linkedom's documents are seen through these interfaces.
 */

/** A node of a parsed page. */
export interface DomNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly parentNode: DomNode | null;
  readonly parentElement: DomElement | null;
  readonly firstChild: DomNode | null;
  readonly lastChild: DomNode | null;
  readonly nextSibling: DomNode | null;
  readonly previousSibling: DomNode | null;
  readonly childNodes: ArrayLike<DomNode>;
  textContent: string | null;
  remove(): void;
  before(...nodes: (DomNode | string)[]): void;
  cloneNode(deep?: boolean): DomNode;
}

/** An element of a parsed page. */
export interface DomElement extends DomNode {
  readonly tagName: string;
  readonly localName: string;
  readonly children: ArrayLike<DomElement>;
  readonly firstElementChild: DomElement | null;
  readonly nextElementSibling: DomElement | null;
  readonly previousElementSibling: DomElement | null;
  id: string;
  className: string;
  innerHTML: string;
  readonly outerHTML: string;
  readonly style: { display?: string; visibility?: string };
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  hasAttribute(name: string): boolean;
  querySelector(selectors: string): DomElement | null;
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
  closest(selectors: string): DomElement | null;
  matches(selectors: string): boolean;
  append(...nodes: (DomNode | string)[]): void;
  replaceWith(...nodes: (DomNode | string)[]): void;
}

/** A parsed page. */
export interface DomDocument {
  readonly documentElement: DomElement;
  readonly head: DomElement | null;
  readonly body: DomElement | null;
  readonly title: string;
  createElement(tagName: string): DomElement;
  createTextNode(text: string): DomNode;
  querySelector(selectors: string): DomElement | null;
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
}

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;

/**
 * Deepest element nesting kept. Real pages stay far below it; past it, tags are dropped and
 * their content kept, so that recursive DOM code (Readability's among it) cannot overflow
 * the stack, and the parser's own cost stays linear.
 */
export const MAX_NESTING = 200;

/** Elements that never have content, or whose end tag the parser implies. */
const NOT_NESTING: ReadonlySet<string> = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
  "p",
  "li",
  "dt",
  "dd",
  "option",
  "optgroup",
  "tr",
  "td",
  "th",
  "thead",
  "tbody",
  "tfoot",
  "rp",
  "rt",
]);

/** Elements whose content is raw text, where a "<" opens no tag. */
const RAW_TEXT: ReadonlySet<string> = new Set(["script", "style", "textarea", "title", "xmp"]);

/** The end tag of each raw text element, found case-insensitively. */
const RAW_TEXT_END: Readonly<Record<string, RegExp>> = Object.fromEntries(
  [...RAW_TEXT].map((name) => [name, new RegExp(`</${name}`, "gi")]),
);

const TAG_RE = /<!--[\s\S]*?(?:-->|$)|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)(?:[^>"']|"[^"]*"|'[^']*')*>/g;

/**
 * Drops the tags nested deeper than `maxDepth` (keeping their content), in one linear pass.
 * Returns the page unchanged when it is not that deep.
 */
export function capNesting(html: string, maxDepth = MAX_NESTING): string {
  const stack: string[] = [];
  const dropped = new Map<string, number>();
  const cuts: { start: number; end: number }[] = [];
  TAG_RE.lastIndex = 0;
  for (let m = TAG_RE.exec(html); m !== null; m = TAG_RE.exec(html)) {
    const [whole, slash, rawName] = m;
    if (rawName === undefined) continue;
    const name = rawName.toLowerCase();
    if (!slash && RAW_TEXT.has(name)) {
      // Skip to the end of the raw text: its "<" are not tags.
      const closing = RAW_TEXT_END[name]!;
      closing.lastIndex = TAG_RE.lastIndex;
      const end = closing.exec(html);
      TAG_RE.lastIndex = end ? end.index : html.length;
      continue;
    }
    if (NOT_NESTING.has(name) || whole.endsWith("/>")) continue;
    if (!slash) {
      if (stack.length >= maxDepth) {
        cuts.push({ start: m.index, end: m.index + whole.length });
        dropped.set(name, (dropped.get(name) ?? 0) + 1);
      } else {
        stack.push(name);
      }
      continue;
    }
    const pending = dropped.get(name) ?? 0;
    if (stack[stack.length - 1] !== name && pending > 0) {
      cuts.push({ start: m.index, end: m.index + whole.length });
      dropped.set(name, pending - 1);
      continue;
    }
    const at = stack.lastIndexOf(name);
    if (at >= 0) stack.length = at;
  }
  if (cuts.length === 0) return html;
  const parts: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    parts.push(html.slice(from, cut.start));
    from = cut.end;
  }
  parts.push(html.slice(from));
  return parts.join("");
}

/** Parses a page (or a fragment) into a document with html, head and body elements. */
export function parseDocument(html: string): DomDocument {
  const capped = capNesting(html);
  // linkedom builds a proper tree only under an <html> root.
  const rooted =
    firstTagName(capped) === "html"
      ? capped
      : `<!DOCTYPE html><html><head></head><body>${capped}</body></html>`;
  const { document } = parseHTML(rooted) as unknown as { document: DomDocument };
  return document;
}

/**
 * The lower-case name of the first tag of a document, after a byte order mark, comments,
 * the doctype and an XML declaration ("html", "rss", "feed"); undefined when there is none.
 */
export function firstTagName(text: string): string | undefined {
  let at = 0;
  for (;;) {
    while (at < text.length && /[\s\ufeff]/.test(text[at]!)) at++;
    if (text.startsWith("<!--", at)) {
      const end = text.indexOf("-->", at + 4);
      if (end < 0) return undefined;
      at = end + 3;
    } else if (text.startsWith("<!", at) || text.startsWith("<?", at)) {
      const end = text.indexOf(">", at + 2);
      if (end < 0) return undefined;
      at = end + 1;
    } else {
      const m = /^<([a-zA-Z][a-zA-Z0-9:-]*)/.exec(text.slice(at, at + 64));
      return m ? m[1]!.toLowerCase() : undefined;
    }
  }
}

/** Tells whether a node is an element. */
export function isElement(node: DomNode | null | undefined): node is DomElement {
  return node?.nodeType === ELEMENT_NODE;
}

/** The lower-case tag name of an element. */
export function tagOf(element: DomElement): string {
  return element.localName.toLowerCase();
}

/** Whitespace collapsed, trimmed text. */
export function squash(text: string | null | undefined): string {
  return (text ?? "").replace(/[\s\u00a0\u200b\ufeff]+/g, " ").trim();
}

/** The text of an element, whitespace collapsed. */
export function textOf(node: DomNode | null | undefined): string {
  return squash(node?.textContent);
}

/**
 * Calls `visit` on every element below `root` in document order, without recursion. When
 * `visit` returns "skip" (it must, after removing the element), the element's content is
 * not visited.
 */
export function walkElements(
  root: DomNode,
  visit: (element: DomElement) => "skip" | undefined,
): void {
  let node: DomNode | null = root.firstChild;
  while (node) {
    const after = nextOutside(node, root);
    const descend = isElement(node) ? visit(node) !== "skip" : false;
    node = descend && node.firstChild ? node.firstChild : after;
  }
}

/** The node after `node` and all of its content, inside `root`. */
function nextOutside(node: DomNode, root: DomNode): DomNode | null {
  let current: DomNode | null = node;
  while (current && current !== root) {
    if (current.nextSibling) return current.nextSibling;
    current = current.parentNode;
  }
  return null;
}
