import { invalidInput } from '../errors';
import type { Credential } from './driver';

/**
 * How a stored value holds the credential a rotator changes. A rotation replaces only the credential's
 * parts and keeps everything else of the value byte for byte:
 *
 * password  the value is the password (or key) itself.
 * url       a URL/DSN with the password inside (`postgres://user:pw@host:5432/db?sslmode=require`,
 *           `redis://…`, `mysql://…`, `amqp://…`): only the password changes — and for alternating users
 *           the user name too. Both are percent-encoded in the URL.
 * json      a JSON object as AWS Secrets Manager's rotation templates keep it: `{"username", "password",
 *           …}` (also `user`), or an access key `{"accessKeyId", "secretAccessKey"}`. Only those fields
 *           change; other fields stay, in their order.
 *
 * Errors never quote the value.
 */
export const valueFormats = ['password', 'url', 'json'] as const;
export type ValueFormat = (typeof valueFormats)[number];

export interface ValueCodec {
  format: ValueFormat;
  /** The credential inside `value` (`user` only where the value holds one). InvalidInput when `value` is not in this format. */
  read(value: string): Credential;
  /** `value` with its credential replaced by `next`; everything else as it was. */
  write(value: string, next: Credential): string;
}

/** scheme://user[:password]@rest — the user and password never contain an unencoded @ / ? or #. */
const URL_WITH_USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^:@/?#]*)(?::([^@/?#]*))?@(.*)$/s;

const passwordCodec: ValueCodec = {
  format: 'password',
  read: (value) => ({ secret: value }),
  write: (_value, next) => next.secret,
};

const urlCodec: ValueCodec = {
  format: 'url',
  read(value) {
    const match = URL_WITH_USERINFO.exec(value);
    if (match?.[3] === undefined || match[3] === '') throw invalidInput('The value is not a URL with a user and a password inside (scheme://user:password@host/…).');
    const user = decodePart(match[2]!, 'user name');
    return { ...(user === '' ? {} : { user }), secret: decodePart(match[3], 'password') };
  },
  write(value, next) {
    const match = URL_WITH_USERINFO.exec(value);
    if (match === null) throw invalidInput('The value is not a URL with a user and a password inside (scheme://user:password@host/…).');
    const user = next.user === undefined ? match[2]! : encodeURIComponent(next.user);
    return `${match[1]!}${user}:${encodeURIComponent(next.secret)}@${match[4]!}`;
  },
};

const USER_FIELDS = ['username', 'user'] as const;

/** The fields of a JSON value that hold the credential: an access key pair, else user name and password. */
function jsonFields(object: Record<string, unknown>): { user?: string; secret: string } | undefined {
  if (typeof object.secretAccessKey === 'string') return { user: 'accessKeyId', secret: 'secretAccessKey' };
  if (typeof object.password !== 'string') return undefined;
  const user = USER_FIELDS.find((field) => typeof object[field] === 'string');
  return { ...(user === undefined ? {} : { user }), secret: 'password' };
}

function parseObject(value: string): Record<string, unknown> | undefined {
  if (!value.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const jsonCodec: ValueCodec = {
  format: 'json',
  read(value) {
    const object = parseObject(value);
    const fields = object === undefined ? undefined : jsonFields(object);
    if (object === undefined || fields === undefined) {
      throw invalidInput('The value is not a JSON object with a "password" (and "username") or "accessKeyId" and "secretAccessKey".');
    }
    const user = fields.user === undefined ? undefined : object[fields.user];
    return { ...(typeof user === 'string' ? { user } : {}), secret: object[fields.secret] as string };
  },
  write(value, next) {
    const object = parseObject(value);
    const fields = object === undefined ? undefined : jsonFields(object);
    if (object === undefined || fields === undefined) throw invalidInput('The value is no longer a JSON object with a password; nothing was changed.');
    object[fields.secret] = next.secret;
    if (next.user !== undefined) object[fields.user ?? 'username'] = next.user;
    // Keep the layout people chose: pretty-printed stays pretty-printed.
    return value.includes('\n') ? JSON.stringify(object, null, 2) : JSON.stringify(object);
  },
};

const CODECS: Record<ValueFormat, ValueCodec> = { password: passwordCodec, url: urlCodec, json: jsonCodec };

export function codecFor(format: ValueFormat): ValueCodec {
  return CODECS[format];
}

/** The format a value is in: a JSON object with a credential, a URL with a password, else a bare password. */
export function detectFormat(value: string): ValueFormat {
  const object = parseObject(value);
  if (object !== undefined && jsonFields(object) !== undefined) return 'json';
  const match = URL_WITH_USERINFO.exec(value);
  if (match?.[3] !== undefined && match[3] !== '') return 'url';
  return 'password';
}

function decodePart(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidInput(`The ${what} in the URL has a broken %-escape; fix the stored value first.`);
  }
}
