import { z } from 'zod';
import { invalidInput } from '../errors';
import { isSessionId, sessionIdOf } from './tokens';

/**
 * Input to session operations from outside core (IPC, CLI). Ids are the server's free-form strings:
 * bounded, and without control characters so that they display safely and make sane index key names.
 */
export const MAX_TTL_HOURS = 24 * 366;

const ownerId = (what: string) =>
  z
    .string()
    .min(1, `${what} is empty`)
    .max(512, `${what} is longer than 512 characters`)
    // eslint-disable-next-line no-control-regex
    .refine((text) => !/[\x00-\x1f\x7f]/.test(text), `${what} contains control characters`);

export const userIdSchema = ownerId('the user id');
export const deviceIdSchema = ownerId('the device id');
export const hoursSchema = z
  .number()
  .refine((n) => Number.isFinite(n) && n > 0 && n <= MAX_TTL_HOURS, `must be a number of hours above 0 and at most ${MAX_TTL_HOURS}`);

export const metadataSchema = z
  .record(z.string().min(1).max(128), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 16_384, 'is larger than 16 KiB as JSON');

export const createSessionSchema = z.object({
  userId: userIdSchema,
  deviceId: deviceIdSchema,
  ttlHours: hoursSchema.optional(),
  metadata: metadataSchema.optional(),
});

export type CreateSessionInput = z.input<typeof createSessionSchema>;

/** A session named by its token (as clients hold it) or by its id (as admins see it). */
export type SessionSelector = { token: string } | { id: string };

export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')} ${issue.message}` : issue.message)).join('; ');
    throw invalidInput(`The ${what} is not valid: ${detail}.`);
  }
  return result.data;
}

/** The session id a selector names. Tokens are trimmed (pasted tokens carry newlines) and never echoed. */
export function selectedId(selector: SessionSelector): string {
  if ('token' in selector) {
    const token = selector.token.trim();
    if (token === '') throw invalidInput('No session token was given. Pass it on standard input.');
    return sessionIdOf(token);
  }
  const id = selector.id.trim().toLowerCase();
  if (!isSessionId(id)) throw invalidInput('A session id is the 64-character hex SHA-256 of its token, as listed by Latchkey.');
  return id;
}
