import { join } from 'node:path';
import { createAuditLog } from './audit/audit-log';
import { ConfigFile } from './config/config-file';
import { createProjectsService } from './config/projects';
import { createDataKeyProvider } from './crypto/data-key';
import { invalidInput } from './errors';
import { FileLocks } from './fs/locks';
import { PrivateTree } from './fs/private-files';
import type { Keychain } from './keychain';
import { createLogger, type Logger } from './log';
import type { LatchkeyPaths } from './paths';
import { createEnvironmentSecrets } from './secrets/environment-secrets';
import { createFileBackend } from './secrets/file-backend';
import type { SecretBackend } from './secrets/backend';
import { createReferenceSecrets } from './secrets/reference-secrets';
import type { SecretRef } from './secrets/reference';

/**
 * Latchkey's core, composed once per process (the app's main process, or one CLI run). Everything that
 * touches a secret value, a credential or Redis lives behind this object; the IPC router and the CLI
 * are thin layers over it.
 */
export interface CoreOptions {
  paths: LatchkeyPaths;
  keychain: Keychain;
  logger?: Logger;
  now?: () => Date;
}

export function createCore(options: CoreOptions) {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? createLogger();
  const locks = new FileLocks();
  const storeTree = new PrivateTree(join(options.paths.stateDir, 'store'));
  const config = new ConfigFile(new PrivateTree(options.paths.configDir), locks);
  const dataKey = createDataKeyProvider({ keychain: options.keychain, tree: storeTree, locks });
  const audit = createAuditLog({ stateDir: options.paths.stateDir, locks, now, logger });

  // Deleting an environment removes its directory of the local store (the closure runs after `file` exists).
  const projects = createProjectsService({ config, now, onEnvironmentDeleted: (environment) => file.deleteEnvironment(environment.id) });
  const file = createFileBackend({ tree: storeTree, locks, dataKey, environments: projects.locator(), now });

  const environmentSecrets = createEnvironmentSecrets({
    projects,
    audit,
    logger,
    bind: async (project, environment) => {
      const prefix = `${project.name}/${environment.name}/`;
      return { backend: file, prefix, pathOf: (key) => `${prefix}${key}` };
    },
  });

  const resolveBackend = async (ref: SecretRef): Promise<SecretBackend> => {
    if (ref.scheme === 'file') return file;
    throw invalidInput(`${ref.scheme}:// references need a connection to that backend, and none is configured.`);
  };
  const referenceSecrets = createReferenceSecrets({ projects, audit, logger, resolve: resolveBackend });

  return {
    logger,
    paths: options.paths,
    projects,
    audit,
    backends: { resolve: resolveBackend },
    secrets: environmentSecrets,
    refs: referenceSecrets,
    /** Drops cached key material (the app's lock). */
    forgetKeys: () => dataKey.forget(),
  };
}

export type Core = ReturnType<typeof createCore>;
