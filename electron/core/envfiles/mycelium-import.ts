import { lstat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { PublicError } from '../../../shared/errors';
import type { AuditSink } from '../audit/audit-log';
import { appendStarted } from '../environments/audit-started';
import { requireConfirmation, type Confirmation } from '../environments/confirmation';
import type { EnvironmentView } from '../environments/environment-view';
import { putSecret, type PutAction } from '../environments/put-secret';
import { invalidInput, notFound, permissionDenied, toPublicError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import { readBoundedFile } from '../fs/bounded-read';
import { encodePolicy, ROTATION_METADATA_KEY } from '../rotation/policy';
import { parseRef } from '../secrets/reference';
import type { SnapshotsBeforeChange } from '../snapshots/before-change';

/**
 * Import of a Mycelium secrets file ($XDG_STATE_HOME/mycelium/secrets/<project>.json, written by
 * Mycelium's SecretsManager) into an environment, under the names Mycelium's own .env export uses.
 * Mycelium keeps these files 0o600; one readable or writable by group or others may have been read or
 * replaced, so it is refused unless forced.
 */
export const MYCELIUM_KEYS = {
  postgres_password: 'POSTGRES_PASSWORD',
  redis_password: 'REDIS_PASSWORD',
  temporal_admin_password: 'TEMPORAL_ADMIN_PASSWORD',
} as const;

const password = z.string().min(1).max(65_536).nullable().optional();
export const myceliumFileSchema = z.object({
  project_name: z.string().min(1).max(256),
  postgres_password: password,
  redis_password: password,
  temporal_admin_password: password,
});
export type MyceliumFile = z.infer<typeof myceliumFileSchema>;

/** Mycelium generates 32-character passwords with every class: the matching rotation policy. */
const MYCELIUM_POLICY = encodePolicy({ generator: 'password', length: 32 });
const MAX_BYTES = 1024 * 1024;

export function myceliumSecretsPath(project: string, env: Record<string, string | undefined> = process.env, home = env.HOME ?? ''): string {
  const state = env.XDG_STATE_HOME !== undefined && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  return join(state, 'mycelium', 'secrets', `${project}.json`);
}

export async function readMyceliumFile(path: string, options: { force?: boolean } = {}): Promise<MyceliumFile> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`${path} does not exist. Mycelium keeps its secrets in $XDG_STATE_HOME/mycelium/secrets/<project>.json.`);
    throw error;
  }
  if (stats.isSymbolicLink() && options.force !== true) {
    throw permissionDenied(`Refusing to read ${path}: it is a symbolic link, so the secrets may come from somewhere else. Check where it points, then pass --force to import it anyway.`);
  }
  if (process.platform !== 'win32' && (stats.mode & 0o066) !== 0 && options.force !== true) {
    const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
    const readable = (stats.mode & 0o044) !== 0;
    throw permissionDenied(
      `Refusing to import ${path}: it is ${readable ? 'readable' : 'writable'} by group or others (mode ${mode}), so its passwords may ` +
        `${readable ? 'have been read by other users' : 'have been replaced by another user'}. Fix it with chmod 600 '${path}' and plan to rotate them, ` +
        'or pass --force to import it as it is.',
    );
  }
  const bytes = await readBoundedFile(path, { limit: MAX_BYTES, limitText: '1 MiB', what: 'A Mycelium secrets file', followSymlink: options.force === true });
  const text = bytes.toString('utf8');
  bytes.fill(0);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalidInput(`${path} is not JSON, so it is not a Mycelium secrets file.`, { cause: error });
  }
  const parsed = myceliumFileSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') || 'the top level';
    throw invalidInput(`${path} is not a Mycelium secrets file: "${field}" is missing or not what Mycelium writes (project_name and the *_password fields are strings).`, { cause: parsed.error });
  }
  return parsed.data;
}

export interface MyceliumImportDeps {
  audit: AuditSink;
  logger?: Logger;
  snapshots?: SnapshotsBeforeChange;
}

export interface MyceliumImportResult {
  project_name: string;
  /** `skipped`: the environment already holds a different value and overwrite was not asked for (see note). */
  results: { key: string; ok: boolean; action: PutAction | 'failed'; version?: string; error?: PublicError; note?: string }[];
  /** The snapshot taken before the import: restoring its keys from it undoes the import. */
  snapshot_id?: string;
}

export async function importMycelium(
  deps: MyceliumImportDeps,
  environment: EnvironmentView,
  path: string,
  options: { force?: boolean; overwrite?: boolean; confirmation?: Confirmation } = {},
): Promise<MyceliumImportResult> {
  const file = await readMyceliumFile(path, options);
  const entries = (Object.keys(MYCELIUM_KEYS) as (keyof typeof MYCELIUM_KEYS)[]).flatMap((field) => {
    const value = file[field];
    return typeof value === 'string' ? [{ key: MYCELIUM_KEYS[field], value }] : [];
  });
  if (entries.length === 0) throw invalidInput(`${path} holds no passwords (postgres, redis and temporal are all empty).`);
  if (environment.protected) requireConfirmation([environment], options.confirmation, `importing Mycelium passwords into ${environment.project}/${environment.name}`);
  const before = await deps.snapshots?.before([environment], 'import.mycelium', { required: true });
  await appendStarted(deps.audit, { action: 'import.mycelium', project: environment.project, environment: environment.name, counts: { total: entries.length } });

  const results: MyceliumImportResult['results'] = [];
  for (const { key, value } of entries) {
    const ref = environment.refFor(key);
    try {
      const put = await putSecret(environment.backend, parseRef(ref).path, value, {
        overwrite: options.overwrite ?? false,
        ref,
        metadata: { [ROTATION_METADATA_KEY]: MYCELIUM_POLICY },
      });
      results.push({
        key,
        ok: true,
        action: put.action,
        ...(put.version === undefined ? {} : { version: put.version }),
        ...(put.action === 'skipped' ? { note: `${key} already holds a different value in ${environment.name}; import with --overwrite to replace it.` } : {}),
      });
    } catch (error) {
      deps.logger?.warn('mycelium import of one key failed', { key, error: describeError(error) });
      results.push({ key, ok: false, action: 'failed', error: toPublicError(error) });
    }
    const last = results[results.length - 1] as MyceliumImportResult['results'][number];
    if (last.action === 'created' || last.action === 'updated' || last.action === 'failed') {
      await deps.audit
        .append({ action: 'secret.write', outcome: last.ok ? 'ok' : 'failed', ref, project: environment.project, environment: environment.name, ...(last.ok || last.error === undefined ? {} : { error_kind: last.error.kind }) })
        .catch((error: unknown) => deps.logger?.error('audit entry for an imported key could not be written', { key, error: describeError(error) }));
    }
  }
  const count = (action: string) => results.filter((result) => result.action === action).length;
  await deps.audit
    .append({
      action: 'import.mycelium',
      outcome: count('failed') === 0 ? 'ok' : count('failed') === results.length ? 'failed' : 'partial',
      project: environment.project,
      environment: environment.name,
      counts: { total: results.length, added: count('created'), changed: count('updated'), unchanged: count('unchanged'), skipped: count('skipped'), failed: count('failed') },
    })
    .catch((error: unknown) => deps.logger?.error('audit entry closing a Mycelium import could not be written', { error: describeError(error) }));
  return { project_name: file.project_name, results, ...(before?.snapshots[0] === undefined ? {} : { snapshot_id: before.snapshots[0].id }) };
}
