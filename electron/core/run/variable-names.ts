import { nameRules, VARIABLE_NAME } from '../../../shared/names';
import { invalidInput } from '../errors';

/**
 * Names a program is given as environment variables. A secret key may hold "." or "-" (the store
 * allows them), which no shell can read back; such a key is refused by name, with the rule, before
 * anything starts — never dropped quietly.
 */
export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

/** Throws InvalidInput naming every unusable name (up to ten), with the rule and what to do. */
export function checkVariableNames(names: readonly string[], hint: string): void {
  const refused = names.filter((name) => !isVariableName(name));
  if (refused.length === 0) return;
  const shown = refused.slice(0, 10).map(describeName).join(', ');
  const more = refused.length > 10 ? ` and ${refused.length - 10} more` : '';
  throw invalidInput(
    `${refused.length === 1 ? 'This name is not a valid environment variable name' : 'These names are not valid environment variable names'}: ${shown}${more}. ` +
      `A variable name has ${nameRules.variable}. ${hint} Nothing was started.`,
  );
}

/** A name as an error shows it: quoted, with NUL and other control characters made visible, at most 60 characters. */
function describeName(name: string): string {
  const visible = name.replace(/\p{Cc}/gu, (character) => (character === '\0' ? '\\0' : `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return `"${visible.length > 60 ? `${visible.slice(0, 57)}...` : visible}"`;
}
