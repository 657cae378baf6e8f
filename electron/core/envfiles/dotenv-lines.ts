import { parse } from 'dotenv';

/**
 * What dotenv makes of a .env file, line by line, so that an import says what it would otherwise do
 * silently: a name set twice (dotenv keeps the last), and every line dotenv passes over because it is
 * not an assignment. Values come from dotenv's own parse; where each assignment sits comes from the
 * pattern of dotenv's default parser (dotenv 17/18, `LINE` in its source), applied the same way —
 * test/unit/envfiles/dotenv-lines.test.ts checks the two agree. Lines are reported by number only:
 * a line of a .env file may hold a secret, so none is ever quoted.
 */
export interface DotenvAnalysis {
  values: Record<string, string>;
  /** Names assigned more than once, with the lines (1-based); the last one is what dotenv reads. */
  duplicates: { key: string; lines: number[] }[];
  /** Lines that are neither blank, a comment, nor part of an assignment dotenv reads. */
  ignored: { line: number; reason: string }[];
}

// dotenv's default parser, character for character (it runs over the text with CR and CRLF made LF).
const DOTENV_LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

export function analyseDotenv(text: string): DotenvAnalysis {
  const normalised = text.replace(/\r\n?/g, '\n');
  const lineStarts = [0];
  for (let index = 0; index < normalised.length; index += 1) if (normalised[index] === '\n') lineStarts.push(index + 1);
  const lineAt = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };

  const covered = new Set<number>();
  const seen = new Map<string, number[]>();
  for (const match of normalised.matchAll(new RegExp(DOTENV_LINE.source, DOTENV_LINE.flags))) {
    const key = match[1] as string;
    // The match may start on blank lines before the name (its leading \s*): the assignment starts at the name.
    const start = (match.index ?? 0) + match[0].indexOf(key);
    const end = (match.index ?? 0) + Math.max(match[0].length - 1, 0);
    const first = lineAt(start);
    for (let line = first; line <= lineAt(end); line += 1) covered.add(line);
    seen.set(key, [...(seen.get(key) ?? []), first]);
  }

  const ignored: DotenvAnalysis['ignored'] = [];
  normalised.split('\n').forEach((content, index) => {
    const line = index + 1;
    const trimmed = content.trim();
    if (covered.has(line) || trimmed === '' || trimmed.startsWith('#')) return;
    ignored.push({ line, reason: 'not a NAME=value assignment dotenv can read, so it is skipped' });
  });

  return {
    values: parse(normalised),
    duplicates: [...seen.entries()].filter(([, lines]) => lines.length > 1).map(([key, lines]) => ({ key, lines })),
    ignored,
  };
}
