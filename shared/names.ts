/**
 * Names of projects, environments and secret keys. They become directory and file names in the local
 * store, so the rules exclude anything that could escape it ('..', '/', NUL, absolute paths) and keep
 * names short enough for every file system.
 */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const ENVIRONMENT_NAME = PROJECT_NAME;
export const SECRET_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/;
/**
 * An environment variable a program is given (`latchkey run`): the portable POSIX form, which every
 * shell can read. No "=" (it ends the name), no NUL (it ends the string), no leading digit.
 */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,199}$/;

export const nameRules = {
  project: 'letters, digits, "-" and "_", starting with a letter or digit, at most 64 characters',
  environment: 'letters, digits, "-" and "_", starting with a letter or digit, at most 64 characters',
  key: 'letters, digits, "_", "." and "-", starting with a letter or "_", at most 200 characters',
  variable: 'letters, digits and "_", not starting with a digit, at most 200 characters (no "=", NUL, spaces, "." or "-")',
} as const;
