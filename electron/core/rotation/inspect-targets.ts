import type { PublicError } from '../../../shared/errors';
import { runBounded } from '../async/bounded-pool';
import type { EnvironmentSecret, EnvironmentView } from '../environments/environment-view';
import { toPublicError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import type { ReadResult, SecretBackend, SecretDescription } from '../secrets/backend';
import { parseRef } from '../secrets/reference';
import type { PreviousValueEscrow } from './escrow';
import type { OriginCheck, OriginRecords } from './origin-records';
import { describePolicy, policyFromMetadata, type RotationPolicy } from './policy';
import type { RotationClass, RotationRule } from './rotation-rule';
import { computeDue, effectivePeriodDays, lastChangedAt, type DueInfo } from './schedule';
import { ruleForSecret } from './secret-rule';
import type { ServiceRotation } from '../services/service-rotation';

/**
 * What incident mode and the schedule need to know about each secret of some environments: the rotation
 * rule that applies to it (generate, service, by hand — and why), whether Latchkey can rotate it now, and
 * when it is due. The value is read in main to apply the rule and never leaves this module. A secret that
 * cannot be read (a damaged file, a refused request) is reported on its own; the others are inspected as
 * usual.
 */
export interface TargetInfo {
  ref: string;
  /** class service: where its rotator changes the credential (the service's name). */
  service?: string;
  project: string;
  environment: string;
  key: string;
  /** The rule's class, or `unreadable` when the secret could not be read (`error` says why). */
  class: RotationClass | 'unreadable';
  rotatable: boolean;
  /** Why it is not rotatable, or why the rule applies. */
  reason?: string;
  /** Who issued the value, when its prefix says so. */
  provider?: string;
  error?: PublicError;
  /** generate: the policy the next value is made with. */
  policy?: RotationPolicy;
  policyText?: string;
  due?: DueInfo;
  /** The current version when inspected. */
  version?: string;
}

export interface InspectDeps {
  escrow?: PreviousValueEscrow;
  /** Finds a secret's rotator (class service); without it no secret rotates at a service. */
  services?: Pick<ServiceRotation, 'rotatorFor'>;
  origins?: OriginRecords;
  logger?: Logger;
  now?: () => Date;
  /** Secrets inspected at once (default 8). */
  concurrency?: number;
}

/**
 * What one inspection read of a secret: its description and its current value. An incident keeps these
 * for the secrets it will generate on a check-and-set backend, and its rotations write against them
 * (see rotate-secret.ts `read`) instead of reading the same version again.
 */
export interface InspectedRead {
  description: SecretDescription;
  current: ReadResult;
}

/**
 * Whether a read made moments before (an incident's inspection) may stand in for a rotation's own read:
 * only where the write is check-and-set on the version read, so that a change since is refused as a
 * Conflict and the rotation reads again; never where an old value would be trusted blindly.
 */
export function canReuseRead(backend: SecretBackend): boolean {
  return backend.capabilities.versions && backend.capabilities.checkAndSet;
}

export interface InspectOptions {
  signal?: AbortSignal;
  /** Secrets inspected at once; overrides deps.concurrency (an incident inspects at its own concurrency). */
  concurrency?: number;
  /** Filled with the reads a rotation may reuse (rotate-secret.ts `canReuseRead`), by reference. */
  reads?: Map<string, InspectedRead>;
}

export async function inspectEnvironments(deps: InspectDeps, environments: EnvironmentView[], options: InspectOptions = {}): Promise<TargetInfo[]> {
  const { signal } = options;
  const listed = (
    await Promise.all(environments.map(async (environment) => (await environment.list(signal)).map((secret) => ({ environment, secret }))))
  ).flat();
  const infos: TargetInfo[] = new Array<TargetInfo>(listed.length);
  const now = (deps.now ?? (() => new Date()))();
  const origins = listed.length === 0 ? undefined : await deps.origins?.load();
  await runBounded(
    listed,
    options.concurrency ?? deps.concurrency ?? 8,
    async ({ environment, secret }, index) => {
      infos[index] = await inspectOne(deps, environment, secret, now, origins, options.reads);
    },
    signal,
  );
  signal?.throwIfAborted();
  return infos;
}

async function inspectOne(
  deps: InspectDeps,
  environment: EnvironmentView,
  secret: EnvironmentSecret,
  now: Date,
  origins: OriginCheck | undefined,
  reads: Map<string, InspectedRead> | undefined,
): Promise<TargetInfo> {
  const base = { ref: secret.ref, project: environment.project, environment: environment.name, key: secret.key };
  const unreadable = (error: PublicError): TargetInfo => ({ ...base, class: 'unreadable', rotatable: false, reason: error.message, error });
  const damaged = secret.summary?.damaged;
  if (damaged !== undefined) return unreadable({ kind: 'InvalidInput', message: damaged });

  const { backend } = environment;
  const path = parseRef(secret.ref).path;
  let description: SecretDescription;
  let rule: RotationRule;
  let stored: RotationPolicy | undefined;
  let version: string | undefined;
  try {
    const read = await readForRule(backend, path);
    description = read.description;
    const { current } = read;
    const policy = policyFromMetadata(description.metadata);
    stored = policy.stored ? policy.policy : undefined;
    version = current.version;
    const attached = await deps.services?.rotatorFor(secret.ref, base);
    rule = await ruleForSecret({
      ref: secret.ref,
      description,
      value: current.value,
      ...(origins === undefined ? {} : { origins }),
      ...(attached === undefined ? {} : { rotator: { service: attached.service } }),
    });
    if (reads !== undefined && rule.class === 'generate' && canReuseRead(backend)) reads.set(secret.ref, read);
  } catch (error) {
    deps.logger?.warn('secret could not be inspected for rotation', { ref: secret.ref, error: describeError(error) });
    return unreadable(toPublicError(error));
  }
  const due = computeDue({ lastChangedAt: lastChangedAt(description), periodDays: effectivePeriodDays(stored, environment.rotationPeriodDays), now });
  const info: TargetInfo = {
    ...base,
    class: rule.class,
    rotatable: rule.class !== 'by-hand',
    reason: rule.reason,
    ...(rule.provider === undefined ? {} : { provider: rule.provider }),
    ...(rule.service === undefined ? {} : { service: rule.service }),
    ...(rule.policy === undefined ? {} : { policy: rule.policy }),
    policyText: rule.policy === undefined ? (stored === undefined ? 'rotated by hand' : describePolicy(stored)) : describePolicy(rule.policy),
    due,
    ...(version === undefined ? {} : { version }),
  };
  if (info.rotatable && !backend.capabilities.versions && deps.escrow === undefined) {
    info.rotatable = false;
    info.reason = `Kept in ${backend.scheme}, which stores no earlier versions, so the current value could not be restored.`;
  }
  return info;
}

/** The description and the current value: in one go where the backend reads both together (Vault: one request fewer). */
async function readForRule(backend: SecretBackend, path: string): Promise<InspectedRead> {
  if (backend.describeWithCurrent !== undefined && backend.capabilities.versions) return backend.describeWithCurrent(path);
  const description = await backend.describe(path);
  return { description, current: await backend.get(path) };
}
