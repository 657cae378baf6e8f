import { auditEntrySchema, entryHash, GENESIS_HASH, type AuditEntry } from './entry';

/**
 * Checks a whole audit log: every line parses, matches its own hash, carries the next sequence number and
 * names the previous line's hash. Problems are reported by line number and kind; a line's content is
 * never quoted (an edited line could hold anything).
 */
export type AuditProblemKind = 'truncated' | 'malformed' | 'edited' | 'removed' | 'reordered';

export interface AuditProblem {
  /** 1-based line number in audit.jsonl (one past the last line for a problem at the end). */
  line: number;
  kind: AuditProblemKind;
  message: string;
}

/** The last entry as recorded next to the log after each append, so that lines removed from the end show. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditVerification {
  intact: boolean;
  /** Lines that hold a valid entry. */
  entries: number;
  lines: number;
  last?: AuditHead;
  /** At most MAX_PROBLEMS, in line order. */
  problems: AuditProblem[];
}

export const MAX_PROBLEMS = 100;

interface ParsedLine {
  line: number;
  entry?: AuditEntry;
  problem?: AuditProblem;
}

export function parseAuditLines(text: string): ParsedLine[] {
  if (text === '') return [];
  const pieces = text.split('\n');
  const terminated = pieces[pieces.length - 1] === '';
  if (terminated) pieces.pop();
  return pieces.map((piece, index) => {
    const line = index + 1;
    if (!terminated && index === pieces.length - 1) {
      return {
        line,
        problem: { line, kind: 'truncated', message: `Line ${line} is cut off (it has no line end): the log was truncated or a write was interrupted.` },
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(piece);
    } catch {
      return { line, problem: { line, kind: 'malformed', message: `Line ${line} is not valid JSON: it was edited or damaged.` } };
    }
    const parsed = auditEntrySchema.safeParse(json);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') || 'entry';
      return { line, problem: { line, kind: 'malformed', message: `Line ${line} is not a valid audit entry (field "${field}"): it was edited or damaged.` } };
    }
    return { line, entry: parsed.data };
  });
}

export function verifyAuditText(text: string, head?: AuditHead): AuditVerification {
  const parsed = parseAuditLines(text);
  const problems: AuditProblem[] = [];
  const lineOfSeq = new Map<number, number>();
  for (const { line, entry } of parsed) if (entry !== undefined && !lineOfSeq.has(entry.seq)) lineOfSeq.set(entry.seq, line);

  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let previousLine = 0;
  let entries = 0;
  let last: AuditHead | undefined;

  for (const { line, entry, problem } of parsed) {
    if (problem !== undefined) {
      problems.push(problem);
      continue;
    }
    if (entry === undefined) continue;
    entries += 1;
    if (entryHash(entry) !== entry.hash) {
      problems.push({ line, kind: 'edited', message: `Line ${line} was edited: its content does not match its hash.` });
    }
    if (entry.seq > expectedSeq) {
      const movedTo = lineOfSeq.get(expectedSeq);
      problems.push(
        movedTo !== undefined
          ? { line, kind: 'reordered', message: `Line ${line} holds entry #${entry.seq}, but entry #${expectedSeq} is at line ${movedTo}: lines were reordered.` }
          : {
              line,
              kind: 'removed',
              message:
                entry.seq - expectedSeq === 1
                  ? `Entry #${expectedSeq} is missing before line ${line}: a line was removed.`
                  : `Entries #${expectedSeq} to #${entry.seq - 1} are missing before line ${line}: lines were removed.`,
            },
      );
    } else if (entry.seq < expectedSeq) {
      problems.push({
        line,
        kind: 'reordered',
        message: `Line ${line} holds entry #${entry.seq}, which belongs before entry #${expectedSeq - 1}: lines were reordered or copied.`,
      });
      // Keep following the chain from the highest entry seen, so one moved line is reported once.
      continue;
    } else if (entry.prev !== prevHash) {
      // The sequence is right but the link is not: the line before was rewritten (with a fresh hash).
      const where = previousLine === 0 ? line : previousLine;
      problems.push({
        line: where,
        kind: 'edited',
        message:
          previousLine === 0
            ? `Line ${line} does not start a log (it names a previous entry): the log was cut at its start.`
            : `Line ${previousLine} was rewritten: line ${line} recorded a different hash for it.`,
      });
    }
    expectedSeq = entry.seq + 1;
    prevHash = entry.hash;
    previousLine = line;
    last = { seq: entry.seq, hash: entry.hash };
  }

  if (head !== undefined) {
    const endLine = parsed.length + 1;
    if (last === undefined || head.seq > last.seq) {
      problems.push({
        line: endLine,
        kind: 'removed',
        message:
          last === undefined
            ? `The log is empty, but Latchkey recorded ${head.seq} entries: the log was emptied or replaced.`
            : `The log ends at entry #${last.seq}, but Latchkey recorded entry #${head.seq} as the last one: lines were removed from the end.`,
      });
    } else {
      const anchorLine = lineOfSeq.get(head.seq);
      const anchor = anchorLine === undefined ? undefined : parsed[anchorLine - 1]?.entry;
      if (anchorLine !== undefined && anchor !== undefined && anchor.hash !== head.hash) {
        problems.push({
          line: anchorLine,
          kind: 'edited',
          message: `Line ${anchorLine} is not the entry #${head.seq} Latchkey recorded: the log was replaced or rewritten.`,
        });
      }
    }
  }

  problems.sort((a, b) => a.line - b.line);
  return {
    intact: problems.length === 0,
    entries,
    lines: parsed.length,
    ...(last === undefined ? {} : { last }),
    problems: problems.slice(0, MAX_PROBLEMS),
  };
}
