import { SECRET_KEY, nameRules } from '../../../shared/names';
import type { AuditSink } from '../audit/audit-log';
import { auditedChange, auditedRead, auditRef } from '../audit/audited';
import type { Logger } from '../log';
import type { EnvironmentConfig, ProjectConfig } from '../config/config-file';
import type { Confirmation, ProjectsService } from '../config/projects';
import { confirmationRequired, conflict, invalidInput, isLatchkeyError } from '../errors';
import { checkRoundTrip } from './binding-paths';
import { listEnvironment, type ListedItem, type ListEnvironmentOptions } from './environment-listing';
import { type SecretBackend, type SecretMetadata, type SecretVersionInfo } from './backend';
import { formatRef } from './reference';

/**
 * The secrets of one environment, whatever backend stores them: what the app's secrets view shows.
 * Keys map to backend paths through the environment's binding; values are returned only by reveal().
 */
export interface BoundEnvironment {
  backend: SecretBackend;
  /** The backend path of a key of this environment. */
  pathOf(key: string): string;
  /** The key a listed path stands for; undefined for paths that are not keys of this environment. */
  keyOf(path: string): string | undefined;
  /** Every path of this environment starts with this (what the backend lists). */
  prefix: string;
  /** The kind of store, for messages ("Vault", "Azure Key Vault"). */
  label: string;
}

export type BindingResolver = (project: ProjectConfig, environment: EnvironmentConfig) => Promise<BoundEnvironment>;

export type SecretItem = ListedItem;

const NOTE = 'note';

/** Whether `key` exists now, read without its value (a failure to tell counts as no: the original error is then reported). */
async function exists(bound: BoundEnvironment, key: string): Promise<boolean> {
  try {
    await bound.backend.describe(bound.pathOf(key));
    return true;
  } catch {
    return false;
  }
}

const noNotes = (bound: BoundEnvironment) => invalidInput(`${bound.label} keeps no notes with a secret; leave the note empty.`);

export function createEnvironmentSecrets(deps: { projects: ProjectsService; bind: BindingResolver; audit: AuditSink; logger: Logger }) {
  const { audit, logger } = deps;
  const open = async (project: string, environment: string) => {
    const found = await deps.projects.find(project, environment);
    return { environment: found.environment, ...(await deps.bind(found.project, found.environment)) };
  };
  /** What the audit trail records about an operation on one key of an environment. */
  const about = (bound: BoundEnvironment, project: string, environment: string, key: string) => ({
    ref: auditRef(formatRef({ scheme: bound.backend.scheme, path: bound.pathOf(key) })),
    project,
    environment,
  });

  const checkKey = (key: string) => {
    if (!SECRET_KEY.test(key)) throw invalidInput(`"${key.slice(0, 80)}" is not a valid secret key: use ${nameRules.key}.`);
  };

  const guardWrite = (environment: EnvironmentConfig, project: string, confirmation: Confirmation) => {
    if (environment.protected && confirmation.confirmed !== true) {
      throw confirmationRequired(`"${project}/${environment.name}" is protected. Confirm to change its secrets.`);
    }
  };

  const checkSize = (backend: SecretBackend, value: string) => {
    if (Buffer.byteLength(value, 'utf8') > backend.capabilities.maxValueBytes) {
      throw invalidInput(`The value is larger than this backend accepts (${backend.capabilities.maxValueBytes} bytes).`);
    }
  };

  return {
    /**
     * Metadata of every secret of the environment; `query` filters by key or note (case-insensitive).
     * `onProgress` hears how far a long listing has come.
     */
    async list(project: string, environment: string, options: { query?: string } & ListEnvironmentOptions = {}): Promise<SecretItem[]> {
      const bound = await open(project, environment);
      const needle = options.query?.trim().toLowerCase() ?? '';
      const items = await listEnvironment(bound, options);
      return needle === '' ? items : items.filter((item) => item.key.toLowerCase().includes(needle) || item.note.toLowerCase().includes(needle));
    },

    async reveal(project: string, environment: string, key: string, version?: string): Promise<{ value: string; version?: string }> {
      checkKey(key);
      const bound = await open(project, environment);
      const read = await auditedRead(audit, { action: 'secret.reveal', ...about(bound, project, environment, key) }, () =>
        bound.backend.get(bound.pathOf(key), version === undefined ? {} : { version }),
      );
      return read.version === undefined ? { value: read.value } : { value: read.value, version: read.version };
    },

    /** The value for main to put on the clipboard (recorded as a copy, not a reveal). */
    async copyValue(project: string, environment: string, key: string): Promise<string> {
      checkKey(key);
      const bound = await open(project, environment);
      const read = await auditedRead(audit, { action: 'secret.copy', ...about(bound, project, environment, key) }, () => bound.backend.get(bound.pathOf(key)));
      return read.value;
    },

    async create(project: string, environment: string, key: string, value: string, options: { note?: string } & Confirmation = {}) {
      checkKey(key);
      const bound = await open(project, environment);
      guardWrite(bound.environment, project, options);
      checkRoundTrip(bound, key, bound.label);
      checkSize(bound.backend, value);
      if (options.note !== undefined && options.note !== '' && !bound.backend.capabilities.metadata) throw noNotes(bound);
      const metadata: SecretMetadata = options.note === undefined || options.note === '' ? {} : { [NOTE]: options.note };
      const alreadyExists = (cause?: unknown) => conflict(`${key} already exists in ${project}/${environment} — edit it instead?`, { field: 'key', cause });
      return auditedChange(audit, logger, { action: 'secret.write', ...about(bound, project, environment, key) }, async () => {
        // A backend without check-and-set (Azure, env, keychain) would overwrite silently: look first.
        if (!bound.backend.capabilities.checkAndSet && (await exists(bound, key))) throw alreadyExists();
        try {
          return await bound.backend.set(bound.pathOf(key), value, { metadata, expectedVersion: null });
        } catch (error) {
          // Each backend words "it exists" its own way (a version clash, ResourceExists…): say it once, plainly.
          if (isLatchkeyError(error) && error.kind === 'Conflict' && (await exists(bound, key))) throw alreadyExists(error);
          throw error;
        }
      });
    },

    /** Changes the value and/or the note of an existing secret. */
    async update(project: string, environment: string, key: string, change: { value?: string; note?: string; expectedVersion?: string }, confirmation: Confirmation = {}) {
      checkKey(key);
      const bound = await open(project, environment);
      guardWrite(bound.environment, project, confirmation);
      const path = bound.pathOf(key);
      const current = await bound.backend.describe(path);
      if (change.note !== undefined && change.note !== (current.metadata?.[NOTE] ?? '') && !bound.backend.capabilities.metadata) throw noNotes(bound);
      const metadata = { ...current.metadata };
      if (change.note !== undefined) {
        if (change.note === '') delete metadata[NOTE];
        else metadata[NOTE] = change.note;
      }
      const event = { action: 'secret.write' as const, ...about(bound, project, environment, key) };
      const newValue = change.value;
      if (newValue !== undefined) {
        checkSize(bound.backend, newValue);
        return auditedChange(audit, logger, event, () =>
          bound.backend.set(path, newValue, {
            metadata,
            ...(change.expectedVersion === undefined ? {} : { expectedVersion: change.expectedVersion }),
          }),
        );
      }
      const setMetadata = bound.backend.setMetadata?.bind(bound.backend);
      if (setMetadata === undefined) {
        // Remote backends keep metadata with a version (Vault's data, AWS tags set on write…): the note
        // is saved by writing the current value again, conditional on the version it was read at.
        return auditedChange(audit, logger, event, async () => {
          const read = await bound.backend.get(path);
          return bound.backend.set(path, read.value, { metadata, ...(read.version === undefined ? {} : { expectedVersion: read.version }) });
        });
      }
      return auditedChange(audit, logger, event, async () => {
        await setMetadata(path, metadata);
        return current.version === undefined ? {} : { version: current.version };
      });
    },

    async remove(project: string, environment: string, key: string, confirmation: Confirmation = {}) {
      checkKey(key);
      const bound = await open(project, environment);
      guardWrite(bound.environment, project, confirmation);
      await auditedChange(audit, logger, { action: 'secret.delete', ...about(bound, project, environment, key) }, () => bound.backend.delete(bound.pathOf(key)));
    },

    async history(project: string, environment: string, key: string): Promise<SecretVersionInfo[]> {
      checkKey(key);
      const bound = await open(project, environment);
      return (await bound.backend.describe(bound.pathOf(key))).versions;
    },
  };
}

export type EnvironmentSecrets = ReturnType<typeof createEnvironmentSecrets>;
