import { z } from 'zod';
import { auditActions, auditOutcomes } from '../audit';
import { errorKinds } from '../errors';
import { call } from './entry';
import { empty, environmentName, projectName, timestamp } from './fields';

/** The audit trail as the Audit screen reads it: entries (never a value) and the chain's verification. */
export const auditEntry = z.object({
  seq: z.number().int(),
  time: timestamp,
  user: z.string().max(200),
  action: z.enum(auditActions),
  outcome: z.enum(auditOutcomes),
  ref: z.string().max(600).optional(),
  target_ref: z.string().max(600).optional(),
  project: projectName.optional(),
  environment: environmentName.optional(),
  version: z.string().max(200).optional(),
  previous_version: z.string().max(200).optional(),
  error_kind: z.enum(errorKinds).optional(),
  counts: z.record(z.string(), z.number().int()).optional(),
  report_id: z.string().max(40).optional(),
  /** `latchkey run` and `latchkey inject`: the variables handed out, the references read, the program and how it ended. */
  keys: z.array(z.string().max(200)).max(100).optional(),
  refs: z.array(z.string().max(600)).max(100).optional(),
  command: z.string().max(200).optional(),
  exit_code: z.number().int().optional(),
  signal: z.string().max(20).optional(),
  snapshot_id: z.string().max(40).optional(),
  sessions: z.object({ scope: z.string().max(20), user_id: z.string().max(200).optional(), device_id: z.string().max(200).optional(), session_hash: z.string().max(64).optional() }).optional(),
});

export const auditContract = {
  /**
   * A page of the matching entries, newest last: the newest `limit` (default 500) of those older than
   * entry `beforeSeq` (all, without it), and how many match in all, so the screen can page back
   * through any number of them.
   */
  query: call(
    z.strictObject({
      actions: z.array(z.enum(auditActions)).max(auditActions.length).optional(),
      project: projectName.optional(),
      environment: environmentName.optional(),
      since: timestamp.optional(),
      until: timestamp.optional(),
      beforeSeq: z.number().int().min(1).optional(),
      limit: z.number().int().min(1).max(5000).optional(),
    }),
    z.object({ entries: z.array(auditEntry), total: z.number().int().nonnegative() }),
  ),
  /** Every line checked: intact, or the problems by line number (a line's content is never quoted). */
  verify: call(
    empty,
    z.object({
      intact: z.boolean(),
      entries: z.number().int(),
      lines: z.number().int(),
      path: z.string(),
      problems: z.array(z.object({ line: z.number().int(), kind: z.enum(['truncated', 'malformed', 'edited', 'removed', 'reordered']), message: z.string().max(1000) })),
    }),
  ),
};

export type AuditEntryView = z.infer<typeof auditEntry>;
