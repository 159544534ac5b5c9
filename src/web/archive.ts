import { access } from "node:fs/promises";
import path from "node:path";
import type { EditionRepository } from "../domain/ports.js";

/** One edition as the archive page lists it. */
export interface ArchiveEntry {
  id: number;
  subject: string;
  created: Date;
}

/**
 * The newsletter editions whose web version the publish job has written
 * (newsletter/<id>/index.html in the public folder), newest first. Editions never change once
 * stored, so each is read from the store once and remembered.
 */
export class EditionArchive {
  private readonly known = new Map<number, ArchiveEntry>();
  private readonly published = new Set<number>();

  constructor(
    private readonly editions: Pick<EditionRepository, "ids" | "byId">,
    private readonly publicDir: string,
  ) {}

  /** The editions with a web version, newest first. */
  async list(): Promise<ArchiveEntry[]> {
    const entries: ArchiveEntry[] = [];
    for (const id of await this.editions.ids()) {
      if (!(await this.isPublished(id))) continue;
      let entry = this.known.get(id);
      if (!entry) {
        const edition = await this.editions.byId(id);
        if (!edition) continue;
        entry = { id, subject: edition.subject, created: edition.created };
        this.known.set(id, entry);
      }
      entries.push(entry);
    }
    return entries;
  }

  private async isPublished(id: number): Promise<boolean> {
    if (this.published.has(id)) return true;
    try {
      await access(path.join(this.publicDir, "newsletter", String(id), "index.html"));
      this.published.add(id);
      return true;
    } catch {
      return false;
    }
  }
}
