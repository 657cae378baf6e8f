import { z } from 'zod';

/**
 * Every failure that crosses a boundary (IPC, CLI) is one of these kinds, with a message a person can
 * act on. Messages never contain a secret value or a session token.
 */
export const errorKinds = [
  'NotFound',
  'Conflict',
  'PermissionDenied',
  'Unauthenticated',
  'BackendUnavailable',
  'InvalidInput',
  'ConfirmationRequired',
  'Locked',
  'Cancelled',
  'Internal',
] as const;

export type ErrorKind = (typeof errorKinds)[number];

export const publicErrorSchema = z.object({
  kind: z.enum(errorKinds),
  message: z.string(),
  /** Set when trying again later may succeed (BackendUnavailable, throttling). */
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** The input field the error is about (a settings path such as "address"), for a form to point at. */
  field: z.string().max(100).optional(),
});

export type PublicError = z.infer<typeof publicErrorSchema>;
