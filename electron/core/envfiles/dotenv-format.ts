import { invalidInput } from '../errors';

/**
 * Writing .env files that the `dotenv` package (v17/18, both its default and its `fast` parser) reads
 * back exactly. dotenv knows three quote styles and almost no escapes:
 *   'single'   taken literally; may span lines; cannot contain '
 *   `backtick` taken literally; may span lines; cannot contain `
 *   "double"   may span lines; \n and \r become LF and CR — nothing else is unescaped, so a value with
 *              a literal backslash-n or backslash-r, or with ", cannot be written in double quotes
 *   unquoted   one line, trimmed, cut at #; a leading quote is stripped when the value also ends with it
 *              (and likewise for a stretch after a U+2028/U+2029)
 * and it turns every CR or CRLF in the file into LF before parsing. Each value gets the first form that
 * represents it, in that order (CR is only possible in double quotes, written as \r). A value no form
 * represents is refused with InvalidInput rather than written wrong.
 *
 * One trap: a backslash right before a closing quote reads as an escaped quote, and both parsers then
 * look for a later closing quote — possibly in the next variable. The same happens for an unquoted value
 * that starts with a quote. After such a line we write a comment holding that quote followed by text:
 * the parsers stop there and fall back to the right reading.
 */
export const DOTENV_KEY = /^[A-Za-z0-9_.-]+$/;

const QUOTES = ["'", '`', '"'] as const;

export interface DotenvLine {
  text: string;
  /** A comment line that must follow `text` (see above). */
  guard?: string;
}

export function formatDotenvValue(key: string, value: string): string {
  return formatDotenvLine(key, value).text.slice(key.length + 1);
}

export function formatDotenvLine(key: string, value: string): DotenvLine {
  if (Buffer.from(value, 'utf8').toString('utf8') !== value) {
    throw invalidInput(`The value of ${key} is not valid Unicode text (it holds a lone surrogate), so it cannot be written to a .env file.`);
  }
  const hasCr = value.includes('\r');
  const quoted = (quote: string, body: string): DotenvLine => ({
    text: `${key}=${quote}${body}${quote}`,
    ...(value.endsWith('\\') ? { guard: guardFor(quote) } : {}),
  });
  if (!value.includes("'") && !hasCr) return quoted("'", value);
  if (!value.includes('`') && !hasCr) return quoted('`', value);
  const literalEscape = /\\[nr]/.test(value);
  if (!value.includes('"') && !literalEscape) return quoted('"', value.replace(/\r/g, '\\r'));
  if (fitsUnquoted(value)) {
    const first = value[0] ?? '';
    return { text: `${key}=${value}`, ...((QUOTES as readonly string[]).includes(first) ? { guard: guardFor(first) } : {}) };
  }
  throw invalidInput(
    `The value of ${key} cannot be written to a .env file so that dotenv reads it back unchanged: it contains ', \` and " ` +
      `together with ${hasCr ? 'a carriage return' : literalEscape ? 'a backslash followed by n or r' : 'a line break, a # or surrounding spaces'}. ` +
      'Export it another way (e.g. latchkey secrets get).',
  );
}

/**
 * One line, no #, nothing dotenv trims, and no quote stripping triggered. dotenv strips quotes with
 * /^(['"`])([\s\S]*)\1$/mg, for which U+2028 and U+2029 end lines too: a stretch that starts right
 * after the start or such a separator with a quote, and reaches that same quote just before the end or
 * a separator, would lose its quotes. A leading " also turns \n and \r into line breaks.
 */
function fitsUnquoted(value: string): boolean {
  if (value === '' || /[#\r\n]/.test(value) || /^\s|\s$/.test(value)) return false;
  if (value.startsWith('"') && /\\[nr]/.test(value)) return false;
  const chars = Array.from(value);
  // A value starting with a quote is first tried as quoted: any later same quote followed by nothing but
  // spaces up to the end or a U+2028/U+2029 would be taken as its closing quote.
  const first = chars[0] as string;
  if ((QUOTES as readonly string[]).includes(first)) {
    for (let index = 1; index < chars.length; index += 1) {
      if (chars[index] === first && /^[^\S\u2028\u2029]*(?:[\u2028\u2029]|$)/.test(chars.slice(index + 1).join(''))) return false;
    }
  }
  const isBreak = (index: number) => index >= chars.length || chars[index] === '\u2028' || chars[index] === '\u2029';
  for (let start = 0; start < chars.length; start += 1) {
    if (start > 0 && !isBreak(start - 1)) continue;
    const quote = chars[start] as string;
    if (!(QUOTES as readonly string[]).includes(quote)) continue;
    for (let end = start + 1; end < chars.length; end += 1) if (chars[end] === quote && isBreak(end + 1)) return false;
  }
  return true;
}

function guardFor(quote: string): string {
  return `# ${quote}dotenv-guard (keeps the line above from running on)`;
}

export interface DotenvHeader {
  project: string;
  environment: string;
  generatedAt: Date;
}

export function formatDotenv(entries: { key: string; value: string }[], header: DotenvHeader): string {
  const lines = [
    `# Generated by Latchkey from ${header.project}/${header.environment} at ${header.generatedAt.toISOString()}.`,
    '# This file holds secret values: do NOT commit it (add it to .gitignore) and do not share it.',
  ];
  const seen = new Set<string>();
  for (const { key, value } of [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (!DOTENV_KEY.test(key)) throw invalidInput(`${key} cannot be a .env variable name: use letters, digits, "_", "." and "-".`);
    if (seen.has(key)) throw invalidInput(`${key} appears twice; a .env file can hold each name once.`);
    seen.add(key);
    const line = formatDotenvLine(key, value);
    lines.push(line.text);
    if (line.guard !== undefined) lines.push(line.guard);
  }
  return `${lines.join('\n')}\n`;
}
