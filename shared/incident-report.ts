import { z } from 'zod';
import { REPORT_ID } from './audit';
import { publicErrorSchema } from './errors';
import { rotationClasses, sessionRevocationPlanSchema } from './rotation';

/**
 * The record of one incident: every target with its status, the session revocation, and each run. It is
 * saved while the incident runs (JSON for machines, text for people) and drives a re-run, which picks up
 * exactly the items that are not yet rotated. Values are never part of it.
 *
 * Item statuses: pending (not done yet), rotated, failed (including a secret that could not be read, e.g.
 * a damaged file), skipped (left out, or no way to keep its previous value), cancelled, and by-hand: the
 * rotation rule says a person rotates it where it was issued — Latchkey lists it and never overwrites it,
 * and `marked` records that the person said it was done.
 */
export const itemStatuses = ['pending', 'rotated', 'failed', 'skipped', 'cancelled', 'by-hand'] as const;
export type ItemStatus = (typeof itemStatuses)[number];

export const reportItemSchema = z
  .object({
    ref: z.string().min(1).max(1024),
    project: z.string(),
    environment: z.string(),
    key: z.string(),
    status: z.enum(itemStatuses),
    /** The rotation rule's class when the incident started (or when the item was rotated). */
    class: z.enum(rotationClasses).optional(),
    /** Who issued the value, when its prefix said so (by-hand items). */
    provider: z.string().max(100).optional(),
    /** A person said this by-hand item was rotated where it was issued (audited as secret.mark-rotated). */
    marked: z.object({ at: z.string(), by: z.string().max(128) }).strict().optional(),
    /** class service: the service its rotator changes the credential at. */
    service: z.string().max(200).optional(),
    /** Where the rotation changed the credential (the service's name); absent: the stored copy only. */
    changed_at: z.string().max(200).optional(),
    /** The old credential at the service: retired (true), still valid (false), or retired at that ISO time. */
    old_retired: z.union([z.boolean(), z.string().max(40)]).optional(),
    /** After retiring it, the old credential was tried once more: true when the service refused it. */
    old_refused: z.boolean().optional(),
    state: z.enum(['rotated', 'unchanged', 'restored', 'superseded', 'unknown']).optional(),
    version: z.string().optional(),
    previous_version: z.string().optional(),
    /** Why the item is skipped (not rotatable). */
    reason: z.string().optional(),
    error: publicErrorSchema.optional(),
    attempts: z.number().int().nonnegative(),
    finished_at: z.string().optional(),
  })
  .strict();
export type ReportItem = z.infer<typeof reportItemSchema>;

/** Reports saved by earlier versions name the session server `connection`; they are read as `server`. */
function withServerKey(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('connection' in value) || 'server' in value) return value;
  const { connection, ...rest } = value as Record<string, unknown>;
  return { ...rest, server: connection };
}

export const reportSessionsSchema = z.preprocess(
  withServerKey,
  z
    .object({
      plan: sessionRevocationPlanSchema,
      /** The named session server they are revoked on. */
      server: z.string().min(1).max(200).optional(),
      status: z.enum(['pending', 'revoked', 'failed', 'cancelled']),
      revoked: z.number().int().nonnegative().optional(),
      error: publicErrorSchema.optional(),
      attempts: z.number().int().nonnegative(),
    })
    .strict(),
);
export type ReportSessions = z.infer<typeof reportSessionsSchema>;

export const reportStatuses = ['running', 'completed', 'partial', 'cancelled'] as const;
export type ReportStatus = (typeof reportStatuses)[number];

export const reportCountsSchema = z
  .object({
    total: z.number().int().nonnegative(),
    rotated: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    pending: z.number().int().nonnegative(),
    cancelled: z.number().int().nonnegative(),
    /** Items a person rotates by hand, and how many of them were marked done (absent in reports from before the rule). */
    by_hand: z.number().int().nonnegative().optional(),
    marked: z.number().int().nonnegative().optional(),
  })
  .strict();
export type ReportCounts = z.infer<typeof reportCountsSchema>;

export const incidentReportSchema = z
  .object({
    v: z.literal(1),
    id: z.string().regex(REPORT_ID),
    created_at: z.string(),
    updated_at: z.string(),
    status: z.enum(reportStatuses),
    environments: z.array(z.object({ project: z.string(), name: z.string(), protected: z.boolean() }).strict()),
    concurrency: z.number().int().positive(),
    sessions: reportSessionsSchema.optional(),
    items: z.array(reportItemSchema),
    runs: z.array(
      z
        .object({
          started_at: z.string(),
          finished_at: z.string().optional(),
          outcome: z.enum(['completed', 'partial', 'cancelled']).optional(),
          user: z.string().optional(),
        })
        .strict(),
    ),
    counts: reportCountsSchema,
  })
  .strict();
export type IncidentReport = z.infer<typeof incidentReportSchema>;
