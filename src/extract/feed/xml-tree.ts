import sax from "sax";

/** One element of a feed document, with its namespace folded onto a short canonical prefix. */
export interface XmlElement {
  /** "title" for RSS elements, "atom:link", "dc:creator", or "<namespace URI>:local" if unknown. */
  key: string;
  /** Canonical prefix ("" for RSS, "atom", "dc", "media", ...) or the namespace URI. */
  ns: string;
  /** Local name, lower-cased. */
  name: string;
  /** Attributes by local name, or "prefix:local" for namespaced ones ("xml:base", "rdf:about"). */
  attrs: Record<string, string>;
  children: XmlChild[];
  /** The xml:base in scope, resolved against the outer ones; undefined when none is. */
  base?: string;
  /** The xml:lang in scope. */
  lang?: string;
  /** 1-based line of the start tag. */
  line: number;
}

export type XmlChild = XmlElement | string;

/** What the feed reader decides while the document streams past. */
export interface XmlStreamHandlers {
  /** Sees the DOCTYPE declaration (internal subset included); may throw to refuse it. */
  onDoctype(doctype: string, line: number): void;
  /**
   * Sees the root element before its content; throws to refuse the document. Returns the
   * canonical prefix that elements in the root's own namespace and unqualified elements take
   * ("atom" in Atom feeds, "" otherwise).
   */
  onRoot(root: XmlElement, info: RootInfo): string;
  /** Tells whether an element starts an entry, given its parent. */
  isEntry(element: XmlElement, parent: XmlElement): boolean;
  /** Receives each finished entry; its tree is not kept in the document's tree. */
  onEntry(entry: XmlElement): void;
}

/** What the root element's start tag says beyond the element itself. */
export interface RootInfo {
  /** The name as written (lower-cased), prefix included: "rdf:rdf", "html". */
  qualifiedName: string;
  /** Its namespace URI, as written ("" for none). */
  uri: string;
  /** Every namespace URI declared on it. */
  declared: string[];
}

/** How the stream ended. */
export interface XmlStreamResult {
  /** The root element with everything but the entries, or undefined if there was none. */
  root?: XmlElement;
  /** An entry the document ended inside (a truncated document). */
  unclosedEntry?: XmlElement;
  /** 1-based line where the document ended. */
  lastLine: number;
}

/** Deeper elements are not built: their text goes to the deepest kept ancestor. */
const MAX_DEPTH = 256;
/** Elements kept per tree (the channel, or one entry); the rest are flattened into text. */
const MAX_ELEMENTS_PER_TREE = 100_000;
/**
 * Entries built per document; later ones are skipped. Real feeds stay far below (a 15 MB
 * feed of short items has about 28,000), and 20 MB of "<item/>" would otherwise be millions.
 */
export const MAX_ENTRIES = 100_000;

/** Namespace URIs (lower-cased, without a trailing "/" or "#") to canonical prefixes. */
const NAMESPACES: Readonly<Record<string, string>> = {
  "http://www.w3.org/2005/atom": "atom",
  "http://purl.org/atom/ns": "atom",
  "http://purl.org/rss/1.0": "",
  "http://my.netscape.com/rdf/simple/0.9": "",
  "http://backend.userland.com/rss2": "",
  "http://backend.userland.com/rss": "",
  "http://blogs.law.harvard.edu/tech/rss": "",
  "http://www.w3.org/1999/02/22-rdf-syntax-ns": "rdf",
  "http://purl.org/dc/elements/1.1": "dc",
  "http://purl.org/dc/elements/1.0": "dc",
  "http://purl.org/dc/terms": "dcterms",
  "http://purl.org/rss/1.0/modules/content": "content",
  "http://search.yahoo.com/mrss": "media",
  "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
  "http://www.w3.org/1999/xhtml": "xhtml",
  "http://www.w3.org/xml/1998/namespace": "xml",
  "http://rssnamespace.org/feedburner/ext/1.0": "feedburner",
};

/** Safe schemes for xml:base; others (javascript:, data:) are ignored. */
const BASE_SCHEMES: ReadonlySet<string> = new Set(["http:", "https:", "ftp:", "file:"]);

/**
 * Streams an XML document through sax in loose mode (HTML entities known, unclosed tags
 * tolerated, DTD entities never expanded) and builds a small tree for everything but the
 * entries, each entry being built alone and handed over as soon as it closes. Nothing here
 * recurses, so any nesting depth is safe.
 */
export function streamXml(text: string, handlers: XmlStreamHandlers): XmlStreamResult {
  // Namespaces are resolved here rather than by sax (xmlns: true), which costs a quarter of
  // the parse building qualified names for every tag and attribute, kept or not.
  const parser = sax.parser(false, { lowercase: true, noscript: true });
  let root: XmlElement | undefined;
  let defaultNs = "";
  /** The root's namespace URI when it is not a known one, read as the feed's vocabulary. */
  let rootUri: string | undefined;
  /** Open sax elements; null for those not built (too deep, over budget or outside root). */
  const stack: (XmlElement | null)[] = [];
  /** Built elements that are open, innermost last, and the namespaces in scope of each. */
  const built: XmlElement[] = [];
  const scopes: NamespaceScope[] = [];
  /** Open entries, innermost last, with the element count of each tree. */
  const entries: { element: XmlElement; count: number }[] = [];
  let documentCount = 0;
  let entryCount = 0;

  parser.onerror = () => {
    // Loose mode reports only what it has already recovered from (an unclosed tag at the end,
    // an overlong token); truncation is judged from the open elements once the stream ends.
    parser.error = null as unknown as Error;
    parser.resume();
  };
  parser.ondoctype = (doctype) => handlers.onDoctype(doctype, parser.line + 1);
  parser.onopentag = (tag) => {
    const parent = built.at(-1);
    const isNewRoot = root === undefined && stack.length === 0;
    if (!isNewRoot && (parent === undefined || stack.at(-1) === null)) {
      stack.push(null);
      return;
    }
    const attributes = tag.attributes as Record<string, string>;
    const { scope, declared } = declareNamespaces(attributes, scopes.at(-1) ?? ROOT_SCOPE);
    const { uri, element } = makeElement(tag.name, attributes, scope, parent, defaultNs, rootUri);
    element.line = parser.line + 1;
    if (isNewRoot) {
      const info: RootInfo = { qualifiedName: tag.name, uri, declared };
      defaultNs = handlers.onRoot(element, info);
      if (uri !== "" && element.ns === uri) rootUri = uri;
      if (element.ns !== defaultNs && (uri === "" || rootUri !== undefined)) {
        element.ns = defaultNs;
        element.key = defaultNs ? `${defaultNs}:${element.name}` : element.name;
      }
      root = element;
      documentCount = 1;
    } else if (parent && handlers.isEntry(element, parent)) {
      if (built.length >= MAX_DEPTH || entryCount >= MAX_ENTRIES) {
        stack.push(null);
        return;
      }
      entryCount++;
      entries.push({ element, count: 1 });
    } else {
      const tree = entries.at(-1);
      const count = tree ? tree.count : documentCount;
      if (built.length >= MAX_DEPTH || count >= MAX_ELEMENTS_PER_TREE || !parent) {
        stack.push(null);
        return;
      }
      if (tree) tree.count++;
      else documentCount++;
      parent.children.push(element);
    }
    stack.push(element);
    built.push(element);
    scopes.push(scope);
  };
  parser.onclosetag = () => {
    const element = stack.pop();
    if (!element) return;
    built.pop();
    scopes.pop();
    if (entries.at(-1)?.element === element) {
      entries.pop();
      handlers.onEntry(element);
    }
  };
  parser.ontext = (chunk) => appendText(built.at(-1), chunk);
  parser.oncdata = (chunk) => appendText(built.at(-1), chunk);

  parser.write(repairAmpersands(text));
  // close() resets the parser, line count included.
  const lastLine = parser.line + 1;
  parser.close();
  return { root, unclosedEntry: entries[0]?.element, lastLine };
}

/** A bare "&" (or "&name" without ";") right before a delimiter sax would swallow. */
const BROKEN_AMPERSAND_RE = /&[A-Za-z#]?[\w.:#-]*(?=[<>"'])/;
const BROKEN_AMPERSAND_SCAN_RE =
  /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|&([A-Za-z#]?[\w.:#-]*)(?=[<>"'])/g;

/**
 * Escapes ampersands that do not start a reference and stand right before "<", ">" or a quote
 * ("?a=1&c</link>"): sax's loose mode would take that delimiter into the text and lose the
 * tag or the end of the attribute. CDATA sections and comments are left alone; an
 * unterminated one runs to the end, which keeps the scan linear.
 */
function repairAmpersands(text: string): string {
  if (!BROKEN_AMPERSAND_RE.test(text)) return text;
  return text.replace(BROKEN_AMPERSAND_SCAN_RE, (match, name: string | undefined) =>
    name === undefined ? match : `&amp;${name}`,
  );
}

/** Namespace URIs by prefix ("" for the default namespace), inheriting from the outer scope. */
type NamespaceScope = Record<string, string>;

const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const ROOT_SCOPE: NamespaceScope = Object.assign(Object.create(null), { xml: XML_NAMESPACE });

/** The scope inside an element: its parent's, plus what its xmlns attributes declare. */
function declareNamespaces(
  attributes: Record<string, string>,
  outer: NamespaceScope,
): { scope: NamespaceScope; declared: string[] } {
  let scope = outer;
  const declared: string[] = [];
  for (const name in attributes) {
    if (name !== "xmlns" && !name.startsWith("xmlns:")) continue;
    if (scope === outer) scope = Object.create(outer) as NamespaceScope;
    const uri = attributes[name]!.trim();
    scope[name === "xmlns" ? "" : name.slice(6)] = uri;
    declared.push(uri);
  }
  return { scope, declared };
}

function makeElement(
  qualifiedName: string,
  attributes: Record<string, string>,
  scope: NamespaceScope,
  parent: XmlElement | undefined,
  defaultNs: string,
  rootUri: string | undefined,
): { uri: string; element: XmlElement } {
  const colon = qualifiedName.indexOf(":");
  const prefix = colon > 0 ? qualifiedName.slice(0, colon) : "";
  const name = colon > 0 ? qualifiedName.slice(colon + 1) : qualifiedName;
  const uri = scope[prefix] ?? "";
  const ns = uri !== "" && uri === rootUri ? defaultNs : canonicalNamespace(uri, prefix, defaultNs);
  const attrs: Record<string, string> = {};
  for (const attribute in attributes) {
    if (attribute === "xmlns" || attribute.startsWith("xmlns:")) continue;
    const at = attribute.indexOf(":");
    if (at <= 0) {
      attrs[attribute] = attributes[attribute]!;
      continue;
    }
    const attributePrefix = attribute.slice(0, at);
    const canonical = canonicalNamespace(scope[attributePrefix] ?? "", attributePrefix, "");
    attrs[`${canonical}:${attribute.slice(at + 1)}`] = attributes[attribute]!;
  }
  const element: XmlElement = {
    key: ns ? `${ns}:${name}` : name,
    ns,
    name,
    attrs,
    children: [],
    line: 0,
  };
  const base = resolveBase(attrs["xml:base"], parent?.base);
  if (base !== undefined) element.base = base;
  const lang = attrs["xml:lang"]?.trim() ?? parent?.lang;
  if (lang) element.lang = lang;
  return { uri, element };
}

function canonicalNamespace(uri: string, prefix: string, defaultNs: string): string {
  if (uri === "") {
    // Conventional prefixes (dc, media, atom) then still mean their usual namespace.
    return prefix || defaultNs;
  }
  const normalized = uri
    .trim()
    .toLowerCase()
    .replace(/[/#]+$/, "");
  return NAMESPACES[normalized] ?? uri;
}

/** An xml:base resolved against the outer one; unsafe or unresolvable ones are ignored. */
function resolveBase(value: string | undefined, outer: string | undefined): string | undefined {
  if (value === undefined) return outer;
  try {
    const url = outer === undefined ? new URL(value.trim()) : new URL(value.trim(), outer);
    return BASE_SCHEMES.has(url.protocol) ? url.href : outer;
  } catch {
    return outer;
  }
}

function appendText(element: XmlElement | undefined, chunk: string): void {
  if (!element || chunk === "") return;
  const last = element.children.length - 1;
  if (last >= 0 && typeof element.children[last] === "string") {
    element.children[last] += chunk;
  } else {
    element.children.push(chunk);
  }
}

/** The first child element with the given key. */
export function childElement(element: XmlElement, key: string): XmlElement | undefined {
  for (const child of element.children) {
    if (typeof child !== "string" && child.key === key) return child;
  }
  return undefined;
}

/** Every child element with one of the given keys, in document order. */
export function childElements(element: XmlElement, ...keys: string[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) {
    if (typeof child !== "string" && keys.includes(child.key)) out.push(child);
  }
  return out;
}

/** Every child element, in document order. */
export function elementChildren(element: XmlElement): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== "string");
}

/** All the text inside an element, markup removed. */
export function textContent(element: XmlElement): string {
  if (element.children.length === 1 && typeof element.children[0] === "string") {
    return element.children[0];
  }
  let out = "";
  const pending: XmlChild[] = [...element.children].reverse();
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (typeof node === "string") out += node;
    else for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
  }
  return out;
}

const VOID_ELEMENTS: ReadonlySet<string> = new Set([
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
  "source",
  "track",
  "wbr",
]);

/** Serialises the content of an element as HTML (inline XHTML inside a feed). */
export function innerHtml(element: XmlElement): string {
  let out = "";
  // An explicit stack of open elements and remaining children: no recursion.
  const stack: { element: XmlElement; next: number }[] = [{ element, next: 0 }];
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    const node = frame.element.children[frame.next++];
    if (node === undefined) {
      stack.pop();
      if (stack.length > 0 && !VOID_ELEMENTS.has(frame.element.name)) {
        out += `</${frame.element.name}>`;
      }
      continue;
    }
    if (typeof node === "string") {
      out += escapeText(node);
      continue;
    }
    out += `<${node.name}`;
    for (const [name, value] of Object.entries(node.attrs)) {
      if (name.startsWith("xml:")) continue;
      out += ` ${name}="${escapeAttribute(value)}"`;
    }
    out += ">";
    stack.push({ element: node, next: 0 });
  }
  return out;
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;");
}
