/** A raw document fetched by a source, before extraction. */
export interface RawDocument {
  sourceId: string;
  /** Key of the document inside its source (relative path for files). */
  key: string;
  /** Where it came from, for error messages (a file path or URL). */
  location: string;
  /** How the document should be read. */
  format: DocumentFormat;
  content: string;
  /** Last modification time reported by the source, if any. */
  modified?: Date;
}

export type DocumentFormat = "markdown" | "json" | "capture" | "html";

/** A document the source could not read, with the reason. */
export interface SourceFailure {
  sourceId: string;
  location: string;
  error: Error;
}
