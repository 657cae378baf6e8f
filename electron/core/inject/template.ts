import { invalidInput } from '../errors';
import { backendSchemes } from '../secrets/backend';
import { formatRef, parseRef } from '../secrets/reference';
import { isQuotingFilter, quotingFilters, type QuotingFilter } from './quoting-filters';

/**
 * A template for `latchkey inject`: any text in which `{{ <reference> }}` or
 * `{{ <reference> | <filter> }}` stands for a secret's value (`{{ file://payments/prod/DB_PASSWORD }}`,
 * `{{ vault://payments/prod/DB_URL | json }}`). Only braces that start with `<scheme>://` are
 * placeholders; other `{{ … }}` (Helm, Jinja, Handlebars) are left as they are. A reference ends at
 * whitespace, `|` or `}`.
 */
export interface Placeholder {
  /** Offsets of the whole `{{ … }}` in the text. */
  start: number;
  end: number;
  /** 1-based line, for messages. */
  line: number;
  ref: string;
  filter: QuotingFilter;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s|}]*)\s*(?:\|\s*([^\s}]*)\s*)?\}\}/g;

export function parseTemplate(text: string, source: string): Placeholder[] {
  const placeholders: Placeholder[] = [];
  let line = 1;
  let counted = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const start = match.index;
    for (let index = counted; index < start; index += 1) if (text.charCodeAt(index) === 10) line += 1;
    counted = start;
    const at = `${source} line ${line}`;
    const written = match[1]!;
    const scheme = written.slice(0, written.indexOf('://'));
    if (!(backendSchemes as readonly string[]).includes(scheme)) {
      throw invalidInput(`${at}: "${scheme.slice(0, 20)}://" is not a Latchkey reference scheme (${backendSchemes.map((known) => `${known}://`).join(', ')}). Nothing was written.`);
    }
    let ref: string;
    try {
      ref = formatRef(parseRef(written));
    } catch (error) {
      throw invalidInput(`${at}: ${(error as Error).message} Nothing was written.`);
    }
    const filter = match[2] ?? 'raw';
    if (!isQuotingFilter(filter)) {
      throw invalidInput(`${at}: "| ${filter.slice(0, 20)}" after ${ref} is not a filter; use one of ${quotingFilters.map((name) => `| ${name}`).join(', ')}. Nothing was written.`);
    }
    placeholders.push({ start, end: start + match[0].length, line, ref, filter });
  }
  return placeholders;
}

/** The text with every placeholder replaced by its value (`valueOf` quotes it). */
export function renderTemplate(text: string, placeholders: readonly Placeholder[], valueOf: (placeholder: Placeholder) => string): string {
  const parts: string[] = [];
  let position = 0;
  for (const placeholder of placeholders) {
    parts.push(text.slice(position, placeholder.start), valueOf(placeholder));
    position = placeholder.end;
  }
  parts.push(text.slice(position));
  return parts.join('');
}
