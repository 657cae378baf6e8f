import { invalidInput } from '../errors';

/**
 * How a value is written into a template (`{{ <reference> | <filter> }}`), so that the file means what
 * it says whatever the value holds — quotes, backslashes, newlines, `#`, `$`, unicode:
 *   raw     the value exactly (the default) — for places that take it verbatim
 *   json    a JSON string literal, quotes included:   "password": {{ file://p/e/DB | json }}
 *   yaml    a YAML double-quoted scalar, quotes included: password: {{ file://p/e/DB | yaml }}
 *   shell   a POSIX shell single-quoted word:          export DB={{ file://p/e/DB | shell }}
 *   base64  the value's UTF-8 bytes in base64 (Kubernetes Secret `data:` fields)
 */
export const quotingFilters = ['raw', 'json', 'yaml', 'shell', 'base64'] as const;
export type QuotingFilter = (typeof quotingFilters)[number];

export function isQuotingFilter(name: string): name is QuotingFilter {
  return (quotingFilters as readonly string[]).includes(name);
}

/** Throws InvalidInput (naming the variable-free `what`, never the value) when the value cannot be written this way. */
export function applyQuotingFilter(filter: QuotingFilter, value: string, what: string): string {
  switch (filter) {
    case 'raw':
      return value;
    case 'json':
      return JSON.stringify(value);
    case 'yaml':
      return yamlDoubleQuoted(value);
    case 'shell':
      if (value.includes('\0')) throw invalidInput(`${what}: the value holds a NUL character, which a shell word cannot carry; use | base64.`);
      return `'${value.replaceAll("'", `'\\''`)}'`;
    case 'base64':
      return Buffer.from(value, 'utf8').toString('base64');
  }
}

/**
 * JSON's string escapes are all valid in a YAML double-quoted scalar; on top of them, YAML wants every
 * character outside its printable set escaped (DEL, the C1 controls but NEL, U+FFFE and U+FFFF), and
 * NEL, U+2028 and U+2029, which YAML 1.1 parsers read as line breaks, are escaped too.
 */
function yamlDoubleQuoted(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
