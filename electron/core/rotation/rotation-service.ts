import { SECRET_KEY, nameRules } from '../../../shared/names';
import type { AuditSink } from '../audit/audit-log';
import { auditedChange } from '../audit/audited';
import type { ConfigFile } from '../config/config-file';
import type { Confirmation, ProjectsService } from '../config/projects';
import type { EnvironmentView } from '../environments/environment-view';
import { pinnedTo } from '../environments/resolve-backend';
import { confirmationRequired, invalidInput, LatchkeyError, notFound } from '../errors';
import type { Logger } from '../log';
import type { SecretBackend } from '../secrets/backend';
import type { SnapshotsBeforeChange } from '../snapshots/before-change';
import { parseRef, type SecretRef } from '../secrets/reference';
import { countDue, listDue, type DueCounts, type DueItem } from './due';
import type { PreviousValueEscrow } from './escrow';
import type { OriginRecords } from './origin-records';
import { describePolicy, encodePolicy, parsePolicy, policyFromMetadata, ROTATION_METADATA_KEY, type RotationPolicy } from './policy';
import { restoreVersion, rollbackSecret, type RollbackResult } from './rollback-secret';
import { rotateSecret, type RotateOptions, type RotationDeps } from './rotate-secret';
import type { RotationResult } from './rotation-result';
import type { RotationRule } from './rotation-rule';
import { effectivePeriodDays } from './schedule';
import { ruleForSecret } from './secret-rule';

/** What the policy dialog shows for a secret Latchkey does not generate. */
const MANUAL_POLICY: RotationPolicy = { generator: 'manual' };
import type { ServiceRotation } from '../services/service-rotation';

/**
 * Rotation of the secrets of an environment, as the app asks for it (project, environment, key): rotate,
 * roll back, restore a version, the rotation policy of a secret, the period of an environment, and the
 * schedule (what is overdue or due soon). The command line works by reference through `refDeps`.
 */
export interface RotationServiceDeps {
  projects: ProjectsService;
  config: ConfigFile;
  viewEnvironment(project: string, environment: string): Promise<EnvironmentView>;
  /** For references given on the command line: the scheme's default connection, or the named one. */
  resolveBackend: (ref: SecretRef, connection?: string) => Promise<SecretBackend>;
  audit: AuditSink;
  logger: Logger;
  escrow: PreviousValueEscrow;
  /** Which values Latchkey generated (the rotation rule's origin records). */
  origins: OriginRecords;
  now: () => Date;
  /** Rotation at the service for secrets with a rotator. */
  services?: ServiceRotation;
  /** Snapshots before incidents and rotate --due. */
  snapshots?: SnapshotsBeforeChange;
}

export interface SecretPolicy {
  policy: RotationPolicy;
  /** The stored form (password-32-p90); absent when the secret has none and the default applies. */
  text?: string;
  description: string;
  /** The period in force: the secret's own, else the environment's, else the default. */
  periodDays: number;
  environmentPeriodDays?: number;
  /** Whether the backend stores a policy without writing a new value (else: set it by rotating with it). */
  canStore: boolean;
  /** The rotation rule that applies now, and why. */
  rule: Pick<RotationRule, 'class' | 'reason' | 'provider' | 'urlScheme'>;
}

export function createRotationService(deps: RotationServiceDeps) {
  const refDeps: RotationDeps = {
    resolveBackend: deps.resolveBackend,
    audit: deps.audit,
    logger: deps.logger,
    escrow: deps.escrow,
    origins: deps.origins,
    ...(deps.services === undefined ? {} : { services: deps.services }),
    ...(deps.snapshots === undefined ? {} : { snapshots: deps.snapshots }),
  };

  const open = async (project: string, environment: string, key: string) => {
    if (!SECRET_KEY.test(key)) throw invalidInput(`"${key.slice(0, 80)}" is not a valid secret key: use ${nameRules.key}.`);
    const view = await deps.viewEnvironment(project, environment);
    return { view, ref: view.refFor(key), onView: { ...refDeps, resolveBackend: pinnedTo(view.backend) } };
  };
  const guard = (view: EnvironmentView, confirmation: Confirmation, what: string) => {
    if (view.protected && confirmation.confirmed !== true) {
      throw confirmationRequired(`"${view.project}/${view.name}" is protected. Confirm to ${what}.`);
    }
  };
  const context = (view: EnvironmentView) => ({ project: view.project, environment: view.name });

  return {
    /** What the command line's rotate, rollback and history use: references resolved by the core. */
    refDeps,
    /** As refDeps, with references resolved on a saved connection (`--connection`). */
    refDepsOn: (connection: string | undefined): RotationDeps => (connection === undefined ? refDeps : { ...refDeps, resolveBackend: (ref) => deps.resolveBackend(ref, connection) }),

    /** Rotates one secret of an environment now; the result says which value is current (never the value). */
    async rotate(project: string, environment: string, key: string, options: { policy?: RotationPolicy; onStep?: RotateOptions['onStep'] } & Confirmation = {}): Promise<RotationResult> {
      const { view, ref, onView } = await open(project, environment, key);
      guard(view, options, `rotate ${key}`);
      return rotateSecret(onView, ref, {
        ...context(view),
        key,
        ...(options.policy === undefined ? {} : { policy: parsePolicy(options.policy) }),
        ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
      });
    },

    /** Makes the previous value current again. */
    async rollback(project: string, environment: string, key: string, confirmation: Confirmation = {}): Promise<RollbackResult> {
      const { view, ref, onView } = await open(project, environment, key);
      guard(view, confirmation, `roll back ${key}`);
      return rollbackSecret(onView, ref, context(view));
    },

    /** Makes an older version current again (AWS: moves AWSCURRENT to it; others: writes its value as a new version). */
    async restore(project: string, environment: string, key: string, version: string, confirmation: Confirmation = {}): Promise<RollbackResult> {
      const { view, ref, onView } = await open(project, environment, key);
      guard(view, confirmation, `restore version ${version} of ${key}`);
      return restoreVersion(onView, ref, version, context(view));
    },

    /**
     * The secret's policy and the rule that applies to it. Without a stored policy, the policy shown is
     * the one the rule would use: the default generator for a value Latchkey generated, else "by hand".
     */
    async policy(project: string, environment: string, key: string): Promise<SecretPolicy> {
      const { view, ref } = await open(project, environment, key);
      const path = parseRef(ref).path;
      const description = await view.backend.describe(path);
      const { policy: storedPolicy, stored } = policyFromMetadata(description.metadata);
      // The value is read here, in main, only to apply the rule; it goes no further.
      const value = (await view.backend.get(path)).value;
      const attached = await deps.services?.rotatorFor(ref, { project, environment, key });
      const rule = await ruleForSecret({ ref, description, value, origins: await deps.origins.load(), ...(attached === undefined ? {} : { rotator: { service: attached.service } }) });
      const policy = stored ? storedPolicy : (rule.policy ?? MANUAL_POLICY);
      return {
        policy,
        ...(stored ? { text: encodePolicy(policy) } : {}),
        description: describePolicy(policy),
        periodDays: effectivePeriodDays(stored ? policy : undefined, view.rotationPeriodDays),
        ...(view.rotationPeriodDays === undefined ? {} : { environmentPeriodDays: view.rotationPeriodDays }),
        canStore: view.backend.setMetadata !== undefined,
        rule: {
          class: rule.class,
          reason: rule.reason,
          ...(rule.provider === undefined ? {} : { provider: rule.provider }),
          ...(rule.urlScheme === undefined ? {} : { urlScheme: rule.urlScheme }),
        },
      };
    },

    /**
     * Stores a secret's policy (undefined: remove it, so the default applies). Only where the backend
     * changes metadata without writing a value; elsewhere a policy is set by rotating with it, because a
     * rewrite of the same value would look like a rotation and restart the schedule.
     */
    async setPolicy(project: string, environment: string, key: string, policy: RotationPolicy | undefined, confirmation: Confirmation = {}): Promise<void> {
      const { view, ref } = await open(project, environment, key);
      guard(view, confirmation, `change the rotation policy of ${key}`);
      const checked = policy === undefined ? undefined : parsePolicy(policy);
      const { backend } = view;
      const setMetadata = backend.setMetadata?.bind(backend);
      if (setMetadata === undefined) {
        throw invalidInput(`${backend.scheme} stores metadata only with a new value: choose "Save and rotate now" to store this policy with the next value.`);
      }
      const path = parseRef(ref).path;
      await auditedChange(deps.audit, deps.logger, { action: 'secret.write', ref, ...context(view) }, async () => {
        const metadata = { ...(await backend.describe(path)).metadata };
        if (checked === undefined) delete metadata[ROTATION_METADATA_KEY];
        else metadata[ROTATION_METADATA_KEY] = encodePolicy(checked);
        await setMetadata(path, metadata);
      });
    },

    /** The default period of an environment's secrets (undefined: the built-in default). */
    async setEnvironmentPeriod(project: string, environment: string, days: number | undefined, confirmation: Confirmation = {}): Promise<void> {
      if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) throw invalidInput('A rotation period is a whole number of days from 1 to 3650.');
      await deps.config.update((current) => {
        const found = current.projects.find((candidate) => candidate.name === project)?.environments.find((candidate) => candidate.name === environment);
        if (found === undefined) throw notFound(`There is no environment "${project}/${environment}".`);
        if (found.protected && confirmation.confirmed !== true) throw confirmationRequired(`"${project}/${environment}" is protected. Confirm to change its rotation period.`);
        if (days === undefined) delete found.rotationPeriodDays;
        else found.rotationPeriodDays = days;
      });
    },

    /** Every secret of the project's environments (or the named ones) with its due status, and the counts per environment. */
    async schedule(project: string, options: { environments?: string[]; signal?: AbortSignal } = {}): Promise<{ items: DueItem[]; counts: DueCounts[] }> {
      const names = options.environments ?? (await deps.projects.list()).find((candidate) => candidate.name === project)?.environments.map((environment) => environment.name);
      if (names === undefined) throw notFound(`There is no project "${project}".`);
      const views = await Promise.all(names.map((name) => deps.viewEnvironment(project, name)));
      const items = await listDue({ escrow: deps.escrow, origins: deps.origins, logger: deps.logger, now: deps.now, ...(deps.services === undefined ? {} : { services: deps.services }) }, views, options.signal);
      const counts = countDue(items);
      // Environments without secrets still get a (zero) count, so the badges clear.
      for (const view of views) if (!counts.some((count) => count.environment === view.name)) counts.push({ project, environment: view.name, overdue: 0, dueSoon: 0 });
      return { items, counts };
    },

    /** Every environment of every project (or of one): what `latchkey rotate --due` works on. */
    async environments(filter: { project?: string; environments?: string[] } = {}): Promise<EnvironmentView[]> {
      const projects = (await deps.projects.list()).filter((project) => filter.project === undefined || project.name === filter.project);
      if (filter.project !== undefined && projects.length === 0) throw notFound(`There is no project "${filter.project}".`);
      const wanted = projects.flatMap((project) =>
        project.environments.filter((environment) => filter.environments === undefined || filter.environments.includes(environment.name)).map((environment) => [project.name, environment.name] as const),
      );
      const missing = (filter.environments ?? []).filter((name) => !wanted.some(([, environment]) => environment === name));
      if (missing.length > 0) throw notFound(`${filter.project ?? 'No project'} has no environment ${missing.join(', ')}.`);
      return Promise.all(wanted.map(([project, environment]) => deps.viewEnvironment(project, environment)));
    },
  };
}

export type RotationService = ReturnType<typeof createRotationService>;

/** A failed rotation, rollback or restore as an error for the app (the message says which value is current). */
export function throwIfFailed<T extends RotationResult>(result: T): T {
  if (!result.ok && result.error !== undefined) throw new LatchkeyError(result.error.kind, result.error.message);
  return result;
}
