/**
 * Text from outside — user and device ids and metadata from Redis, key names, references echoed in
 * errors, messages of backends — must not act on the terminal that shows it. A terminal obeys control
 * characters: ESC starts CSI/OSC sequences (clear the screen, move the cursor, set the window title,
 * write the clipboard), C1 characters do the same in one byte, a carriage return overwrites a line,
 * bidirectional overrides reorder what is shown, and a newline inside a value forges a line of output.
 *
 * So every write of the CLI goes through `escapeControls` (at the edge, in program.ts), and fields that
 * are one line by nature go through `oneLine`. Escapes are written as JSON writes them (`\u001b`,
 * `\r`), so JSON output stays valid JSON with the same values, and a person sees what was there.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_AND_LINES = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };
const escapeOne = (character: string) => SHORT[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Escapes what a terminal would act on; newlines and tabs (the layout of the output) are kept. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, escapeOne);
}

/** For a field that is one line by nature (an id, a key name, an error message): newlines and tabs escaped too. */
export function oneLine(text: string): string {
  return text.replace(CONTROLS_AND_LINES, escapeOne);
}

/** `value` with every string in it made one line (for human output built from data that came from outside). */
export function oneLineStrings<T>(value: T): T {
  if (typeof value === 'string') return oneLine(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => oneLineStrings(item)) as T;
  if (value !== null && typeof value === 'object') {
    // Own enumerable keys only, into an object without a prototype: keys come from outside too.
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value)) out[oneLine(key)] = oneLineStrings(item);
    return out as T;
  }
  return value;
}
