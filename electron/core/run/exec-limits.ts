import { readFileSync } from 'node:fs';
import { invalidInput } from '../errors';

/**
 * What the operating system lets a new program carry in its arguments and environment. Past these
 * limits exec fails with E2BIG (or, worse, a wrapper truncates the environment); Latchkey checks
 * first and says which limit, with numbers, before anything starts.
 *
 * Linux (fs/exec.c): each "NAME=value" string, with its NUL, is at most MAX_ARG_STRLEN (32 pages,
 * 128 KiB); all strings together (the program's path, arguments, environment, each with its NUL) plus
 * one pointer per argument and variable fit in a quarter of the stack limit (`ulimit -s`), at least
 * 128 KiB and at most 6 MiB. macOS: 1 MiB in all (kern.argmax). Windows: 32,767 characters per
 * variable.
 */
export interface ExecLimits {
  /** Largest "NAME=value" string in bytes, its NUL included. */
  maxStringBytes?: number;
  /** Largest total of strings and pointers, in bytes. */
  maxTotalBytes?: number;
  /** Largest "NAME=value" in UTF-16 characters (Windows). */
  maxVariableChars?: number;
  /** Why the total is what it is, for the error message. */
  totalRule: string;
  system: string;
}

const PAGE = 4096;
const MAX_ARG_STRLEN = 32 * PAGE;
const LINUX_MIN_TOTAL = 32 * PAGE;
const LINUX_MAX_TOTAL = 6 * 1024 * 1024;
const DEFAULT_STACK = 8 * 1024 * 1024;
const POINTER = 8;
/** Room for the program's path as exec receives it after the PATH search. */
const PATH_ROOM = 4096;

/** The soft stack limit from /proc/self/limits (a child inherits it); undefined when unlimited. */
export function linuxStackLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  try {
    const line = read()
      .split('\n')
      .find((candidate) => candidate.startsWith('Max stack size'));
    const soft = line?.slice('Max stack size'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return undefined;
    const bytes = Number(soft);
    return Number.isFinite(bytes) && bytes > 0 ? bytes : DEFAULT_STACK;
  } catch {
    return DEFAULT_STACK;
  }
}

export function execLimitsFor(platform: NodeJS.Platform, stackLimit: () => number | undefined = () => linuxStackLimit()): ExecLimits {
  if (platform === 'win32') return { system: 'Windows', maxVariableChars: 32_767, totalRule: '' };
  if (platform === 'darwin') return { system: 'macOS', maxTotalBytes: 1024 * 1024, totalRule: 'kern.argmax' };
  const stack = stackLimit();
  const quarter = stack === undefined ? LINUX_MAX_TOTAL : Math.floor(stack / 4);
  const total = Math.max(LINUX_MIN_TOTAL, Math.min(LINUX_MAX_TOTAL, quarter));
  const rule =
    stack === undefined
      ? 'the most Linux allows with an unlimited stack'
      : total === quarter
        ? `a quarter of the stack limit, ulimit -s = ${Math.round(stack / 1024)} KiB`
        : total === LINUX_MAX_TOTAL
          ? 'the most Linux allows'
          : 'the least Linux allows';
  return { system: platform === 'linux' ? 'Linux' : platform, maxStringBytes: MAX_ARG_STRLEN, maxTotalBytes: total, totalRule: rule };
}

export interface ProgramLaunch {
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
}

/**
 * Throws InvalidInput (naming variables, never showing values) when the program could not be started
 * with this environment: a NUL in a value or an argument, one variable too large, or all of it too large.
 */
export function checkProgramFits(launch: ProgramLaunch, limits: ExecLimits): void {
  for (const [name, value] of Object.entries(launch.env)) {
    if (value.includes('\0')) throw invalidInput(`The value of ${name} holds a NUL character, which an environment variable cannot carry. Nothing was started.`);
  }
  if ([launch.command, ...launch.args].some((arg) => arg.includes('\0'))) throw invalidInput('An argument of the program holds a NUL character. Nothing was started.');

  let total = PATH_ROOM + (launch.args.length + 1 + Object.keys(launch.env).length) * POINTER;
  for (const arg of [launch.command, ...launch.args]) total += Buffer.byteLength(arg, 'utf8') + 1;
  const tooLong: { name: string; size: number }[] = [];
  for (const [name, value] of Object.entries(launch.env)) {
    const bytes = Buffer.byteLength(name, 'utf8') + 1 + Buffer.byteLength(value, 'utf8') + 1;
    total += bytes;
    if (limits.maxStringBytes !== undefined && bytes > limits.maxStringBytes) tooLong.push({ name, size: bytes });
    if (limits.maxVariableChars !== undefined && name.length + 1 + value.length > limits.maxVariableChars) tooLong.push({ name, size: name.length + 1 + value.length });
  }
  if (tooLong.length > 0) {
    const unit = limits.maxStringBytes === undefined ? 'characters' : 'bytes';
    const limit = limits.maxStringBytes ?? limits.maxVariableChars ?? 0;
    const shown = tooLong
      .slice(0, 5)
      .map((entry) => `${entry.name} (${entry.size.toLocaleString('en-US')} ${unit})`)
      .join(', ');
    throw invalidInput(
      `${tooLong.length === 1 ? 'A variable is' : `${tooLong.length} variables are`} too large for one environment variable on ${limits.system}, ` +
        `which allows ${limit.toLocaleString('en-US')} ${unit} for NAME=value${limits.maxStringBytes === undefined ? '' : ' (MAX_ARG_STRLEN)'}: ${shown}${tooLong.length > 5 ? ', …' : ''}. ` +
        'Pass such a value in a file instead (latchkey inject), or leave it out with --only. Nothing was started.',
    );
  }
  if (limits.maxTotalBytes !== undefined && total > limits.maxTotalBytes) {
    throw invalidInput(
      `The program's environment and arguments would take ${formatBytes(total)} (${Object.keys(launch.env).length.toLocaleString('en-US')} variables), ` +
        `more than ${limits.system} lets a program start with: ${formatBytes(limits.maxTotalBytes)} (${limits.totalRule}). ` +
        'Choose the secrets it needs with --only, or put large values in a file (latchkey inject). Nothing was started.',
    );
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024).toLocaleString('en-US')} KiB`;
}
