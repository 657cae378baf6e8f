import { isLatchkeyError } from './errors';

/**
 * The one logger of core. Callers pass a constant message and structured fields; fields whose name says
 * they may hold a secret are replaced, and errors are reduced to what is safe to keep (their kind and
 * our own message, or a foreign error's name and stack frames — never a foreign message, which may
 * quote input).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SENSITIVE_FIELD = /(^|[_-])(value|values|token|tokens|secret|secrets|password|passphrase|plaintext|credentials?|authorization|cookie|datakey)$/i;
export const REDACTED = '[redacted]';

export function redactFields(fields: LogFields, depth = 0): LogFields {
  const out: LogFields = {};
  for (const [name, field] of Object.entries(fields)) {
    out[name] = SENSITIVE_FIELD.test(name) ? REDACTED : redactValue(field, depth);
  }
  return out;
}

function redactValue(field: unknown, depth: number): unknown {
  if (field instanceof Error) return describeError(field);
  if (depth > 4) return '[nested]';
  if (Array.isArray(field)) return field.map((item) => redactValue(item, depth + 1));
  if (field !== null && typeof field === 'object') return redactFields(field as LogFields, depth + 1);
  return field;
}

export function describeError(error: unknown): LogFields {
  if (isLatchkeyError(error)) return { kind: error.kind, message: error.message };
  if (error instanceof Error) {
    const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));
    return { name: error.name, stack: frames.slice(0, 8).join('\n') };
  }
  return { type: typeof error };
}

export function createLogger(options: { sink?: LogSink; level?: LogLevel; fields?: LogFields } = {}): Logger {
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const minimum = levelRank[options.level ?? parseLevel(process.env.LATCHKEY_LOG_LEVEL) ?? 'warn'];
  const base = options.fields ?? {};

  const write = (level: LogLevel, message: string, fields?: LogFields) => {
    if (levelRank[level] < minimum) return;
    const record = { time: new Date().toISOString(), level, message, ...redactFields({ ...base, ...fields }) };
    sink(JSON.stringify(record));
  };

  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ sink, level: levelName(minimum), fields: { ...base, ...fields } }),
  };
}

function parseLevel(text: string | undefined): LogLevel | undefined {
  return text !== undefined && text in levelRank ? (text as LogLevel) : undefined;
}

function levelName(rank: number): LogLevel {
  return (Object.keys(levelRank) as LogLevel[]).find((level) => levelRank[level] === rank) ?? 'warn';
}
