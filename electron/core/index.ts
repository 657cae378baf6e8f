import { join } from 'node:path';
import { ConfigFile } from './config/config-file';
import { createProjectsService } from './config/projects';
import { createDataKeyProvider } from './crypto/data-key';
import { invalidInput } from './errors';
import { FileLocks } from './fs/locks';
import { PrivateTree } from './fs/private-files';
import type { Keychain } from './keychain';
import { createAppLock } from './lock/app-lock';
import { createCredentialCaches } from './lock/credential-caches';
import { createLockSettingsFile } from './lock/lock-settings';
import { createPassphraseStore, type ScryptCost } from './lock/passphrase';
import { createLogger, type Logger } from './log';
import type { LatchkeyPaths } from './paths';
import { createEnvironmentSecrets } from './secrets/environment-secrets';
import { createFileBackend } from './secrets/file-backend';
import { createReferenceSecrets } from './secrets/reference-secrets';

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
  /** scrypt cost of a new app passphrase (tests lower it; the default is DEFAULT_SCRYPT_COST). */
  passphraseCost?: ScryptCost;
}

export function createCore(options: CoreOptions) {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? createLogger();
  const locks = new FileLocks();
  const storeTree = new PrivateTree(join(options.paths.stateDir, 'store'), { ownedFrom: options.paths.stateDir });
  const config = new ConfigFile(new PrivateTree(options.paths.configDir), locks);
  const storeKey = createDataKeyProvider({ keychain: options.keychain, tree: storeTree, locks });

  // The app's lock: every in-memory credential registers with `caches`, and the store's key is not
  // read from the keychain while the app is locked (so a call already running cannot cache it again).
  const caches = createCredentialCaches({ logger });
  caches.register('file store data key', () => storeKey.forget());
  const lock = createAppLock({
    now,
    logger,
    caches,
    settings: createLockSettingsFile({ tree: new PrivateTree(options.paths.configDir), locks }),
    passphrase: createPassphraseStore({
      tree: new PrivateTree(options.paths.stateDir),
      locks,
      now,
      ...(options.passphraseCost === undefined ? {} : { cost: options.passphraseCost }),
    }),
    verifyKeychain: () => storeKey.verify(),
  });
  const dataKey = {
    ...storeKey,
    get: () => {
      lock.assertUnlocked();
      return storeKey.get();
    },
  };

  // Deleting an environment removes its directory of the local store (the closure runs after `file` exists).
  const projects = createProjectsService({ config, now, onEnvironmentDeleted: (environment) => file.deleteEnvironment(environment.id) });
  const file = createFileBackend({ tree: storeTree, locks, dataKey, environments: projects.locator(), now });

  const environmentSecrets = createEnvironmentSecrets({
    projects,
    bind: async (project, environment) => {
      const prefix = `${project.name}/${environment.name}/`;
      return { backend: file, prefix, pathOf: (key) => `${prefix}${key}` };
    },
  });

  const referenceSecrets = createReferenceSecrets({
    projects,
    resolve: async (ref) => {
      if (ref.scheme === 'file') return file;
      throw invalidInput(`${ref.scheme}:// references need a connection to that backend, and none is configured.`);
    },
  });

  return {
    logger,
    paths: options.paths,
    projects,
    secrets: environmentSecrets,
    refs: referenceSecrets,
    lock,
    /** Where a module that caches a credential registers how to drop it when the app locks. */
    credentialCaches: caches,
    /** Drops every cached credential and key (the app's lock calls this). */
    forgetKeys: () => caches.forgetAll(),
  };
}

export type Core = ReturnType<typeof createCore>;
