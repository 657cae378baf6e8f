import { createHash } from 'node:crypto';
import { z } from 'zod';
import { auditActions, auditOutcomes, REPORT_ID, SNAPSHOT_ID } from '../../../shared/audit';
import { errorKinds } from '../../../shared/errors';
import { ENVIRONMENT_NAME, PROJECT_NAME, VARIABLE_NAME } from '../../../shared/names';

export { auditActions, auditOutcomes, type AuditAction, type AuditOutcome } from '../../../shared/audit';

export const GENESIS_HASH = '0'.repeat(64);

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
/** A reference names a secret; whitespace and control characters are refused so that it stays a name. */
const reference = z
  .string()
  .max(512)
  .regex(/^[a-z]+:\/\/[^\s\p{Cc}]+$/u);
const versionId = z.string().regex(/^[A-Za-z0-9._:+/=-]{1,200}$/);
/** Session owners and devices are identifiers chosen by the API server, never tokens. */
const identifier = z.string().regex(/^[A-Za-z0-9_.:@/-]{1,200}$/);
const count = z.number().int().nonnegative();
/** A program's file name (`latchkey run`): never its arguments, which may hold anything. */
const commandName = z.string().regex(/^[^\s\p{Cc}/\\]{1,128}$/u);

/** Lists in an entry (variables handed to a program, references of a template) keep at most this many names; `counts.total` has the full number. */
export const AUDIT_LIST_MAX = 100;

export const auditCountsSchema = z
  .object({
    total: count,
    ok: count,
    failed: count,
    skipped: count,
    cancelled: count,
    added: count,
    changed: count,
    unchanged: count,
    revoked: count,
    /** A session revocation by filter: sessions that matched. */
    matched: count,
    /** Deletions sent whose reply never came: they may have happened (between revoked and revoked + unconfirmed). */
    unconfirmed: count,
    recreated: count,
    deleted: count,
    pruned: count,
  })
  .partial()
  .strict();
export type AuditCounts = z.infer<typeof auditCountsSchema>;

/** A revocation's filter as recorded: names and values in the identifier alphabet (others as fingerprints), times in ISO 8601. */
const sessionFilterSchema = z
  .object({
    where: z.array(z.object({ field: identifier, value: identifier }).strict()).max(18).optional(),
    created_before: z.iso.datetime().optional(),
    created_after: z.iso.datetime().optional(),
    expires_before: z.iso.datetime().optional(),
    expires_after: z.iso.datetime().optional(),
    expiring_within_seconds: count.optional(),
  })
  .strict();

export { REPORT_ID, SNAPSHOT_ID };

/**
 * One line of the audit trail. The schema is closed (`strict`) and has no free-text field: every string
 * is an enum, a name with a restricted alphabet, a reference, a version id or a time. So an entry has no
 * place to put a secret value or a session token, even by mistake.
 */
export const auditEventSchema = z
  .object({
    action: z.enum(auditActions),
    outcome: z.enum(auditOutcomes),
    ref: reference.optional(),
    /** The destination of a copy between environments. */
    target_ref: reference.optional(),
    project: z.string().regex(PROJECT_NAME).optional(),
    environment: z.string().regex(ENVIRONMENT_NAME).optional(),
    version: versionId.optional(),
    previous_version: versionId.optional(),
    error_kind: z.enum(errorKinds).optional(),
    counts: auditCountsSchema.optional(),
    report_id: z.string().regex(REPORT_ID).optional(),
    /** The service where a rotation changed the credential (its registry name, or command:<file>). */
    service: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/).optional(),
    /** The variables a program was given (`latchkey run`), by name. */
    keys: z.array(z.string().regex(VARIABLE_NAME)).max(AUDIT_LIST_MAX).optional(),
    /** The references a template or an env file named. */
    refs: z.array(reference).max(AUDIT_LIST_MAX).optional(),
    command: commandName.optional(),
    /** How a program ended: its exit code, or the signal that killed it. */
    exit_code: z.number().int().min(0).max(255).optional(),
    signal: z.string().regex(/^SIG[A-Z0-9]{1,10}$/).optional(),
    snapshot_id: z.string().regex(SNAPSHOT_ID).optional(),
    /** On `audit.reset`: the log set aside (its file name in the state folder) and the last entry Latchkey had recorded for it. */
    previous_log: z
      .object({ file: z.string().regex(/^audit\.[0-9]{8}T[0-9]{6}Z(-[0-9]{1,3})?\.jsonl$/).optional(), seq: count, hash: hex64.optional() })
      .strict()
      .optional(),
    sessions: z
      .object({
        scope: z.enum(['all', 'user', 'device', 'session', 'filter']),
        user_id: identifier.optional(),
        device_id: identifier.optional(),
        /** A session's key hash (SHA-256 of the token), possibly shortened; never the token. */
        session_hash: z.string().regex(/^[0-9a-f]{8,64}$/).optional(),
        /** scope 'filter': the criteria (metadata fields and values, times). */
        filter: sessionFilterSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditEntrySchema = auditEventSchema
  .extend({
    v: z.literal(1),
    seq: z.number().int().positive(),
    time: z.iso.datetime(),
    /** The OS account that ran Latchkey. */
    user: z.string().regex(/^[^\p{Cc}]{1,128}$/u),
    prev: hex64,
    hash: hex64,
  })
  .strict();
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** JSON with object keys sorted at every level: one byte sequence per entry, so hashes are reproducible. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** hash = SHA-256 of the canonical JSON of the entry without its `hash` field (which includes `prev`). */
export function entryHash(entry: Omit<AuditEntry, 'hash'> | AuditEntry): string {
  const { hash: _hash, ...rest } = entry as AuditEntry;
  return createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}

/** The line written to audit.jsonl: canonical JSON of the whole entry. */
export function entryLine(entry: AuditEntry): string {
  return `${canonicalJson(entry)}\n`;
}

/** A valid entry, or undefined for a line that is not one (`verify` is what reports those). */
export function parseEntryLine(line: string): AuditEntry | undefined {
  if (line === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    // JSON.parse's message quotes the input: never passed on.
    return undefined;
  }
  const parsed = auditEntrySchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
