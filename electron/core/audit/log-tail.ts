import type { PrivateTree } from '../fs/private-files';
import { parseEntryLine, type AuditEntry } from './entry';

/**
 * The end of the audit log, read backwards in growing windows: what an append needs to check before it
 * extends the log (the entries back to the anchored one, and what follows the last entry).
 */
export interface LogTail {
  size: number;
  /** The valid entries at the end of the log, oldest first, without a gap of invalid lines between them. */
  entries: AuditEntry[];
  /** Bytes of an unfinished last line (no line end) — what an append interrupted by a crash leaves. */
  fragmentBytes?: number;
  /** Whole lines that are not entries after the last entry, or an unfinished "line" too long to be one. */
  garbageAfterLastEntry: boolean;
}

/** A batch is written with one write(); an unfinished line longer than this was not left by one. */
const MAX_FRAGMENT = 64 * 1024;
const NEWLINE = 0x0a;

export async function readLogTail(tree: PrivateTree, parts: string[], options: { from?: number; chunk: number; limit: number }): Promise<LogTail> {
  for (let window = options.chunk; ; window *= 4) {
    const { size, data } = await tree.readTail(parts, Math.min(window, options.limit));
    const covered = data.length >= size;
    const exhausted = covered || window >= options.limit;

    let end = data.length;
    let fragmentBytes: number | undefined;
    if (end > 0 && data[end - 1] !== NEWLINE) {
      const newline = data.lastIndexOf(NEWLINE, end - 1);
      if (newline < 0 && !exhausted) continue; // the unfinished line reaches past this window
      fragmentBytes = end - (newline + 1);
      end = newline + 1;
    }
    if (fragmentBytes !== undefined && fragmentBytes > MAX_FRAGMENT) return { size, entries: [], garbageAfterLastEntry: true };

    const entries: AuditEntry[] = [];
    let garbage = false;
    let interrupted = false;
    let pos = end;
    while (pos > 0) {
      const newline = pos >= 2 ? data.lastIndexOf(NEWLINE, pos - 2) : -1;
      // Without the whole file in view, the first line of the window may be the end of a longer one.
      if (newline < 0 && !covered) break;
      const entry = parseEntryLine(data.subarray(newline + 1, pos - 1).toString('utf8'));
      pos = newline + 1;
      if (entry === undefined) {
        // Before any entry: lines added after the last one. Between entries: the chain is broken there.
        if (entries.length === 0) garbage = true;
        else interrupted = true;
        break;
      }
      entries.unshift(entry);
    }
    const first = entries[0];
    const needsMore = !garbage && !interrupted && !exhausted && (entries.length === 0 || (options.from !== undefined && first !== undefined && first.seq > options.from));
    if (needsMore) continue;
    return { size, entries, ...(fragmentBytes === undefined || fragmentBytes === 0 ? {} : { fragmentBytes }), garbageAfterLastEntry: garbage };
  }
}

