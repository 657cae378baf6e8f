import { join } from 'node:path';
import { createAuditLog } from './audit/audit-log';
import { ConfigFile } from './config/config-file';
import { createProjectsService } from './config/projects';
import { createDataKeyProvider } from './crypto/data-key';
import { notFound } from './errors';
import { FileLocks } from './fs/locks';
import { PrivateTree } from './fs/private-files';
import type { Keychain } from './keychain';
import { createAppLock } from './lock/app-lock';
import { createCredentialCaches } from './lock/credential-caches';
import { createLockSettingsFile } from './lock/lock-settings';
import { createPassphraseStore, type ScryptCost } from './lock/passphrase';
import { createLogger, type Logger } from './log';
import type { LatchkeyPaths } from './paths';
import { createEnvironmentTools } from './environments/environment-tools';
import { createOutputFiles } from './envfiles/private-output-file';
import { environmentOverBackend, type EnvironmentView } from './environments/environment-view';
import { createImportTargets } from './environments/import-target';
import { createFingerprinter } from './environments/fingerprint';
import { createIncidentService } from './rotation/incident-service';
import { createIncidentReportStore } from './rotation/incident-store';
import { createLocalEscrow } from './rotation/local-escrow';
import { createOriginRecords } from './rotation/origin-records';
import { sessionStoreRevoker } from './rotation/session-store-revoker';
import { createRotationService } from './rotation/rotation-service';
import { createEnvironmentRegistry } from './secrets/backend-registry';
import { createConnectionsService } from './secrets/connections/connections-service';
import { createBindingResolver } from './secrets/environment-binding';
import { createEnvironmentSecrets, type BindingResolver } from './secrets/environment-secrets';
import { createFileBackend } from './secrets/file-backend';
import type { SecretBackend } from './secrets/backend';
import { createReferenceSecrets } from './secrets/reference-secrets';
import type { SecretRef } from './secrets/reference';
import { createSessionStores } from './sessions/session-stores';
import { injectTemplate, type InjectRequest } from './inject/inject-template';
import { createRunService } from './run/run-service';
import { createWatchedRuns } from './run/watched-runs';
import { createRotationJournal } from './services/rotation-journal';
import { createRotators } from './services/rotators';
import { savedConnections } from './services/saved-connections';
import { createServiceKinds } from './services/service-kinds';
import { createServiceRotation } from './services/service-rotation';
import { createServicesRegistry } from './services/services-registry';
import { createSnapshotService } from './snapshots/snapshot-service';
import { createSnapshotStore } from './snapshots/snapshot-store';

/**
 * Latchkey's core, composed once per process (the app's main process, or one CLI run). Everything that
 * touches a secret value, a credential or Redis lives behind this object; the IPC router and the CLI
 * are thin layers over it.
 */
export interface CoreOptions {
  paths: LatchkeyPaths;
  keychain: Keychain;
  /** The process environment: env:// reads it, and bare references use the seed's variables (VAULT_ADDR…). */
  env?: Record<string, string | undefined>;
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
  // The audit log's anchor lives in the config folder: a log deleted or cut short with its state folder shows.
  const audit = createAuditLog({ stateDir: options.paths.stateDir, anchorDir: options.paths.configDir, locks, now, logger });
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

  // Deleting an environment removes its directory of the local store and its snapshots (the closure runs after both exist).
  const projects = createProjectsService({
    config,
    now,
    onEnvironmentDeleted: async (environment) => {
      await file.deleteEnvironment(environment.id);
      await snapshots.forgetEnvironment(environment.id);
    },
  });
  const file = createFileBackend({ tree: storeTree, locks, dataKey, environments: projects.locator(), now });

  // Other backends are opened per connection and reused: the one an environment is bound to (the
  // app), or for a bare reference the scheme's default from the seed's environment variables (the CLI).
  const registry = createEnvironmentRegistry({ fileBackend: file, logger, keychain: options.keychain, env: options.env ?? {}, now });
  /** A reference's backend: on a named connection when one is given, else the scheme's default. */
  const resolveBackend = async (ref: SecretRef, connection?: string): Promise<SecretBackend> => {
    if (connection === undefined) return registry.resolve(ref);
    const stored = (await config.read()).connections.find((candidate) => candidate.name === connection);
    if (stored === undefined) throw notFound(`There is no connection named "${connection}" (latchkey connections ls lists them).`);
    return registry.resolve(ref, { name: stored.name, connection: stored.connection });
  };
  // Opened backends hold tokens and credentials read from the keychain: the lock drops them all.
  caches.register('secret backend connections', () => registry.close());

  /** Where an environment's secrets live: its directory of the local store, or a prefix on a connection. */
  const bind: BindingResolver = createBindingResolver({ config, registry, fileBackend: file });
  const connections = createConnectionsService({ config, keychain: options.keychain, registry, logger });

  // Session administration: session servers and one session store per server, audited.
  // Files written where the person chose (exports, inject, session exports): never inside Latchkey's own folders.
  const outputFiles = createOutputFiles(options.paths);
  const sessions = createSessionStores({ config, keychain: options.keychain, audit, logger, outputFiles, now });
  // Open Redis connections hold passwords read from the keychain: the lock closes them.
  caches.register('redis session connections', () => sessions.close());

  const environmentSecrets = createEnvironmentSecrets({ projects, audit, logger, bind });
  const referenceSecrets = createReferenceSecrets({ projects, audit, logger, resolve: resolveBackend });

  /** An environment as rotation, diff, .env and import see it. */
  const viewEnvironment = async (project: string, environment: string): Promise<EnvironmentView> => {
    const found = await projects.find(project, environment);
    const bound = await bind(found.project, found.environment);
    return environmentOverBackend({
      project,
      name: environment,
      protected: found.environment.protected,
      ...(found.environment.rotationPeriodDays === undefined ? {} : { rotationPeriodDays: found.environment.rotationPeriodDays }),
      backend: bound.backend,
      prefix: bound.prefix,
      pathOf: bound.pathOf,
      keyOf: bound.keyOf,
    });
  };

  // Rotation, incidents, diff and .env: previous values of backends without versions go to an escrow in
  // the local store; keyed fingerprints use one key per process, so diffs compare within a run only.
  const escrow = createLocalEscrow({ tree: storeTree, locks, dataKey, now });
  // Which values Latchkey generated itself: the only ones it may replace without a policy the person chose.
  const origins = createOriginRecords({ stateDir: options.paths.stateDir, locks, dataKey, logger });
  const fingerprinter = createFingerprinter();
  const reports = createIncidentReportStore(options.paths.stateDir);
  // Snapshots of environments: taken by hand and before every bulk change (imports, copies, incidents,
  // rotate --due, restores), escrowed values sealed with the store's key; restore and undo from them.
  const snapshots = createSnapshotService({
    projects,
    viewEnvironment,
    store: createSnapshotStore({ stateDir: options.paths.stateDir, locks, dataKey }),
    audit,
    reports,
    fingerprinter,
    logger,
    now,
  });

  // Services (where credentials are checked) and rotators: a secret with a rotator is rotated at its
  // service first, through a journal in the state directory that the next run finishes or undoes.
  const serviceKinds = createServiceKinds({ logger, connection: savedConnections({ config, keychain: options.keychain }) });
  const servicesRegistry = createServicesRegistry({ config, keychain: options.keychain, kinds: serviceKinds });
  const rotators = createRotators({ config, services: servicesRegistry, kinds: serviceKinds, viewEnvironment });
  const serviceRotation = createServiceRotation({
    rotators,
    kinds: serviceKinds,
    journal: createRotationJournal({ tree: new PrivateTree(join(options.paths.stateDir, 'rotations'), { ownedFrom: options.paths.stateDir }), locks, dataKey, now }),
    audit,
    logger,
    now,
    escrow,
    viewEnvironment,
    resolveBackend,
  });
  const rotation = createRotationService({ projects, config, viewEnvironment, resolveBackend, audit, logger, escrow, origins, now, services: serviceRotation, snapshots });
  const incidents = createIncidentService({
    viewEnvironment,
    rotation: rotation.refDeps,
    reports,
    now,
    // An incident's sessions are revoked through the store of the chosen session server.
    sessionsOn: async (server) => sessionStoreRevoker(await sessions.storeFor(server)),
  });
  // Using secrets: `latchkey run` starts a program with an environment's secrets, `latchkey inject`
  // fills a template; both read through the same bindings and references as everything else.
  const watchedRuns = createWatchedRuns({ tree: new PrivateTree(join(options.paths.stateDir, 'runs'), { ownedFrom: options.paths.stateDir }), logger });
  const run = createRunService({
    viewEnvironment,
    resolveBackend: (ref) => resolveBackend(ref),
    storeFolderOf: async (project, environment) => {
      const found = await projects.find(project, environment);
      return found.environment.binding.backend === 'file' ? storeTree.resolve(found.environment.id) : undefined;
    },
    storeRoot: storeTree.root,
    audit,
    logger,
    watchedRuns,
  });
  const inject = (request: InjectRequest) => injectTemplate({ resolveBackend: (ref) => resolveBackend(ref), audit, outputFiles }, request);
  const importTargets = createImportTargets({
    viewEnvironment,
    exists: async (project, environment) => (await projects.list()).some((candidate) => candidate.name === project && candidate.environments.some((env) => env.name === environment)),
    create: (project, environment) => projects.locator().findOrCreate(project, environment),
    fileBackend: file,
    now,
  });
  const environmentTools = createEnvironmentTools({ viewEnvironment, importTargets, audit, logger, fingerprinter, now, outputFiles, env: options.env ?? process.env, snapshots });

  return {
    logger,
    paths: options.paths,
    projects,
    audit,
    config,
    outputFiles,
    backends: { resolve: resolveBackend, registry },
    environments: { bind, view: viewEnvironment, importTargets, fingerprinter, ...environmentTools },
    rotation,
    incidents,
    run: { ...run, inject, watched: (project: string, environment: string) => watchedRuns.list(project, environment) },
    snapshots,
    connections,
    /** Services, rotator attachments and rotation at the service (with its journal's recovery). */
    services: { registry: servicesRegistry, rotators, rotation: serviceRotation, kinds: serviceKinds },
    secrets: environmentSecrets,
    refs: referenceSecrets,
    lock,
    /** Where a module that caches a credential registers how to drop it when the app locks. */
    credentialCaches: caches,
    sessions,
    /** Drops every cached credential and key (the app's lock calls this). */
    forgetKeys: () => caches.forgetAll(),
    /** Closes backend and Redis connections (the CLI before it exits). */
    close: async () => {
      await Promise.all([registry.close(), sessions.close()]);
    },
  };
}

export type Core = ReturnType<typeof createCore>;
