import { z } from 'zod';

/**
 * A session as the Sessions screen and the CLI show it, defined once for the core (which builds rows
 * from Redis hashes) and the IPC contract (which checks what crosses to the window). Ids and metadata
 * only: a row never carries a token.
 */
/** A session is named by the hex SHA-256 of its token. */
export const sessionIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'not a session id');

export const sessionRowSchema = z.object({
  id: sessionIdSchema,
  userId: z.string(),
  deviceId: z.string(),
  createdAt: z.string().max(64),
  expiresAt: z.string().max(64),
  ttlSeconds: z.number().int().nullable(),
  deviceType: z.string().optional(),
  os: z.string().optional(),
  appVersion: z.string().optional(),
});
export type SessionRow = z.infer<typeof sessionRowSchema>;

/** A row plus the whole metadata object: one session's detail. */
export const sessionDetailSchema = sessionRowSchema.extend({ metadata: z.record(z.string(), z.unknown()) });
export type SessionDetail = z.infer<typeof sessionDetailSchema>;

/** How a search result's rows are ordered. */
export const rowSortSchema = z.strictObject({ by: z.enum(['createdAt', 'expiresAt', 'userId', 'deviceId']), direction: z.enum(['asc', 'desc']) });
export type RowSort = z.infer<typeof rowSortSchema>;
export type RowSortField = RowSort['by'];
