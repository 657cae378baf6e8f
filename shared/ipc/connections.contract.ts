import { z } from 'zod';
import { publicErrorSchema } from '../errors';
import { call } from './entry';
import { confirmed, empty, environmentName, projectName } from './fields';

/**
 * Secret-backend connections (Vault, AWS, Google, Azure, env, keychain). Settings travel as a JSON
 * object that core checks against the connection schema of its kind (messages name the field).
 * Credentials travel one way only — into main, which puts them in the OS keychain; no result ever
 * carries one back, only whether they are stored.
 */
export const connectionKinds = ['vault', 'aws', 'gcp', 'azure', 'env', 'keychain'] as const;
export type ConnectionKind = (typeof connectionKinds)[number];

/** Same rule as core's CONNECTION_NAME. */
export const connectionName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, 'not a valid connection name');

const MAX_DEPTH = 6;
const MAX_CHARACTERS = 64 * 1024;

/**
 * Plain JSON (strings, finite numbers, booleans, null, arrays, plain objects), at most MAX_DEPTH deep and
 * MAX_CHARACTERS of text. Never throws: anything else — a BigInt, a cycle, a Map — is simply not JSON.
 */
function isBoundedJson(value: unknown): boolean {
  let characters = 0;
  const walk = (node: unknown, depth: number): boolean => {
    if (depth > MAX_DEPTH) return false;
    if (node === null || typeof node === 'boolean') return true;
    if (typeof node === 'number') return Number.isFinite(node);
    if (typeof node === 'string') return (characters += node.length) <= MAX_CHARACTERS;
    if (Array.isArray(node)) return node.every((item) => walk(item, depth + 1));
    if (typeof node !== 'object' || Object.getPrototypeOf(node) !== Object.prototype) return false;
    return Object.entries(node).every(([key, item]) => (characters += key.length) <= MAX_CHARACTERS && walk(item, depth + 1));
  };
  return walk(value, 0);
}

/** A JSON object of settings or credentials; bounded here, checked field by field in core. */
export const jsonObject = z.custom<Record<string, unknown>>((value) => value !== null && typeof value === 'object' && !Array.isArray(value) && isBoundedJson(value), 'not a JSON object of settings');

export const connectionView = z.object({
  name: connectionName,
  kind: z.enum(connectionKinds),
  settings: z.record(z.string(), z.unknown()),
  /** Where it points, for people ("vault.example.com · mount secret"). */
  location: z.string(),
  credentials: z.enum(['stored', 'missing', 'not-needed']),
  /** The credential fields these settings need ("token", "sessionToken?" for optional ones). */
  credentialFields: z.array(z.string()),
  environments: z.array(z.object({ project: projectName, environment: environmentName, prefix: z.string() })),
});

const check = z.object({ outcome: z.enum(['passed', 'failed', 'skipped']), detail: z.string(), error: publicErrorSchema.optional() });

export const connectionTestReport = z.object({ location: z.string(), reachable: check, authenticated: check, canList: check, canWrite: check });

export const connectionsContract = {
  list: call(empty, z.object({ connections: z.array(connectionView) })),
  add: call(z.strictObject({ name: connectionName, settings: jsonObject, credentials: jsonObject.optional() }), z.object({ connection: connectionView })),
  /** Rename, new settings, new credentials — any of them; absent credentials keep the stored ones. */
  update: call(
    z.strictObject({ name: connectionName, changes: z.strictObject({ name: connectionName.optional(), settings: jsonObject.optional(), credentials: jsonObject.optional() }) }),
    z.object({ connection: connectionView }),
  ),
  setCredentials: call(z.strictObject({ name: connectionName, credentials: jsonObject }), z.object({ connection: connectionView })),
  /** Refused while environments are bound to it (the message names them). */
  remove: call(z.strictObject({ name: connectionName, confirmed }), empty),
  /** Reachable, authenticated, can list; can write only when `write` (a probe written, read back, deleted). */
  test: call(
    z.strictObject({ name: connectionName, write: z.boolean().optional(), prefix: z.string().max(256).optional() }),
    z.object({ report: connectionTestReport }),
  ),
};

export type ConnectionView = z.infer<typeof connectionView>;
export type ConnectionTestReportView = z.infer<typeof connectionTestReport>;
