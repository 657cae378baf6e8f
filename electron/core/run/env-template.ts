import { parse } from 'dotenv';
import { invalidInput } from '../errors';
import { backendSchemes } from '../secrets/backend';
import { formatRef, parseRef } from '../secrets/reference';
import { isVariableName } from './variable-names';
import { nameRules } from '../../../shared/names';

/**
 * `latchkey run --env-file .env.tpl`: a .env file (read by the `dotenv` package, as programs read
 * them) whose values may be references. An unquoted value that starts with `<scheme>://` is a
 * reference — resolved through the same backends as `latchkey secrets get` — and any other value is
 * passed as it is. A URL that is a plain value (`https://…`, `postgres://…`) is quoted to say so;
 * left unquoted, its scheme is refused by name, so a mistyped `valut://` never reaches a program as
 * a literal string. Errors name the file, the line and the reference — never a literal value, which
 * may itself be a secret.
 */
export type TemplateSource = { kind: 'literal'; value: string } | { kind: 'reference'; ref: string };

export interface TemplateVariable {
  name: string;
  /** 1-based line of the assignment (the last one, when a name is assigned twice: dotenv keeps the last). */
  line: number;
  source: TemplateSource;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const QUOTED_ASSIGNMENT = /^\s*(?:export\s+)?[\w.-]+\s*(?:=|:\s)\s*['"`]/;

export function parseEnvTemplate(text: string, file: string): TemplateVariable[] {
  const values = parse(text);
  const where = new Map<string, { line: number; quoted: boolean }>();
  // dotenv reports no positions: each physical line is parsed alone to find where a name is assigned.
  text.split(/\r\n|\n|\r/).forEach((line, index) => {
    for (const name of Object.keys(parse(line))) {
      if (name in values) where.set(name, { line: index + 1, quoted: QUOTED_ASSIGNMENT.test(line) });
    }
  });
  return Object.entries(values)
    .map(([name, value]): TemplateVariable => {
      const position = where.get(name) ?? { line: 0, quoted: false };
      const at = position.line === 0 ? file : `${file} line ${position.line}`;
      if (!isVariableName(name)) throw invalidInput(`${at}: "${name.slice(0, 60)}" is not a valid environment variable name; a name has ${nameRules.variable}. Nothing was started.`);
      const scheme = position.quoted ? null : SCHEME.exec(value);
      if (scheme === null) return { name, line: position.line, source: { kind: 'literal', value } };
      if (!(backendSchemes as readonly string[]).includes(scheme[1]!)) {
        throw invalidInput(
          `${at}: ${name} refers to "${scheme[1]!.slice(0, 20)}://", which is not a Latchkey reference scheme (${backendSchemes.map((known) => `${known}://`).join(', ')}). ` +
            `If it is a plain value, quote it: ${name}="${scheme[1]!.slice(0, 20)}://…". Nothing was started.`,
        );
      }
      try {
        return { name, line: position.line, source: { kind: 'reference', ref: formatRef(parseRef(value)) } };
      } catch (error) {
        throw invalidInput(`${at}: ${name}: ${(error as Error).message} Nothing was started.`);
      }
    })
    .sort((a, b) => a.line - b.line);
}
