import type { AuditSink } from '../audit/audit-log';
import { auditedChange, auditedRead, auditRef } from '../audit/audited';
import type { Confirmation, ProjectsService } from '../config/projects';
import type { Logger } from '../log';
import { defaultEnvironment } from '../config/projects';
import { confirmationRequired, invalidInput, isLatchkeyError } from '../errors';
import { backendSchemes, listAll, type ReadResult, type SecretBackend, type SecretDescription, type SecretMetadata, type WriteResult } from './backend';
import { parseFilePath } from './file-backend';
import { formatRef, parseRef, type SecretRef } from './reference';

/**
 * Secrets addressed by reference string (`file://demo/dev/API_KEY`, `vault://…`): what the CLI works
 * with. The scheme picks the backend; writes into a protected environment need a confirmation.
 */
export type BackendResolver = (ref: SecretRef, connection?: string) => Promise<SecretBackend>;

/** A named connection to resolve the reference on, instead of the scheme's default (the seed's variables). */
export interface OnConnection {
  connection?: string;
}

export interface ListedSecret {
  ref: string;
  createdAt?: string;
  updatedAt?: string;
  version?: string;
  /** The secret exists but cannot be read (a damaged file): what to do. */
  damaged?: string;
}

export function createReferenceSecrets(deps: { resolve: BackendResolver; projects: ProjectsService; audit: AuditSink; logger: Logger }) {
  const { audit, logger } = deps;
  /** What the audit trail records: the reference, and for the local store its project and environment. */
  const about = (ref: SecretRef) => {
    if (ref.scheme !== 'file') return { ref: auditRef(formatRef(ref)) };
    const { project, environment } = parseFilePath(ref.path);
    return { ref: auditRef(formatRef(ref)), project, environment };
  };

  const guardWrite = async (ref: SecretRef, confirmation: Confirmation) => {
    if (ref.scheme !== 'file' || confirmation.confirmed === true) return;
    const { project, environment } = parseFilePath(ref.path);
    let isProtected: boolean;
    try {
      isProtected = (await deps.projects.find(project, environment)).environment.protected;
    } catch (error) {
      if (!isLatchkeyError(error) || error.kind !== 'NotFound') throw error;
      isProtected = defaultEnvironment(environment, new Date()).protected;
    }
    if (isProtected) throw confirmationRequired(`"${project}/${environment}" is protected. Confirm the change (--yes on the command line).`);
  };

  return {
    async get(text: string, options: { version?: string } & OnConnection = {}): Promise<ReadResult> {
      const ref = parseRef(text);
      const backend = await deps.resolve(ref, options.connection);
      return auditedRead(audit, { action: 'secret.reveal', ...about(ref) }, () => backend.get(ref.path, options.version === undefined ? {} : { version: options.version }));
    },

    async set(text: string, value: string, options: { metadata?: SecretMetadata } & Confirmation & OnConnection = {}): Promise<WriteResult> {
      const ref = parseRef(text);
      await guardWrite(ref, options);
      const backend = await deps.resolve(ref, options.connection);
      if (Buffer.byteLength(value, 'utf8') > backend.capabilities.maxValueBytes) {
        throw invalidInput(`The value is larger than ${ref.scheme}:// accepts (${backend.capabilities.maxValueBytes} bytes).`);
      }
      return auditedChange(audit, logger, { action: 'secret.write', ...about(ref) }, () =>
        backend.set(ref.path, value, options.metadata === undefined ? {} : { metadata: options.metadata }),
      );
    },

    async remove(text: string, options: Confirmation & OnConnection = {}): Promise<void> {
      const ref = parseRef(text);
      await guardWrite(ref, options);
      const backend = await deps.resolve(ref, options.connection);
      await auditedChange(audit, logger, { action: 'secret.delete', ...about(ref) }, () => backend.delete(ref.path));
    },

    async describe(text: string, options: OnConnection = {}): Promise<SecretDescription> {
      const ref = parseRef(text);
      return (await deps.resolve(ref, options.connection)).describe(ref.path);
    },

    /** Every secret whose reference starts with `prefix` (`file://`, `file://demo/`, `vault://app/`…). */
    async list(prefix: string, options: { signal?: AbortSignal } & OnConnection = {}): Promise<ListedSecret[]> {
      const match = /^([a-z]+):\/\/(.*)$/s.exec(prefix);
      if (match === null || !(backendSchemes as readonly string[]).includes(match[1]!)) {
        throw invalidInput(`"${prefix.slice(0, 80)}" is not a reference prefix. Start it with a scheme, e.g. file:// or file://demo/dev/.`);
      }
      const ref = { scheme: match[1] as SecretRef['scheme'], path: match[2]! };
      const backend = await deps.resolve(ref, options.connection);
      const listed: ListedSecret[] = [];
      for await (const item of listAll(backend, ref.path, options.signal === undefined ? {} : { signal: options.signal })) {
        listed.push({
          ref: formatRef({ scheme: ref.scheme, path: item.path }),
          ...(item.createdAt === undefined ? {} : { createdAt: item.createdAt }),
          ...(item.updatedAt === undefined ? {} : { updatedAt: item.updatedAt }),
          ...(item.version === undefined ? {} : { version: item.version }),
          ...(item.damaged === undefined ? {} : { damaged: item.damaged }),
        });
      }
      return listed;
    },
  };
}

export type ReferenceSecrets = ReturnType<typeof createReferenceSecrets>;
