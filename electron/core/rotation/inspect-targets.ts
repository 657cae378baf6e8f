import { runBounded } from '../async/bounded-pool';
import type { EnvironmentView } from '../environments/environment-view';
import { isLatchkeyError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import type { SecretDescription } from '../secrets/backend';
import { parseRef } from '../secrets/reference';
import type { PreviousValueEscrow } from './escrow';
import { describePolicy, isGenerated, policyFromMetadata, type RotationPolicy } from './policy';
import { computeDue, effectivePeriodDays, lastChangedAt, type DueInfo } from './schedule';

/**
 * What incident mode and the schedule need to know about each secret of some environments: its policy,
 * whether Latchkey can rotate it (and if not, why), and when it is due. One describe call per secret.
 */
export interface TargetInfo {
  ref: string;
  project: string;
  environment: string;
  key: string;
  rotatable: boolean;
  /** Why it is not rotatable. */
  reason?: string;
  policy?: RotationPolicy;
  policyText?: string;
  due?: DueInfo;
}

export interface InspectDeps {
  escrow?: PreviousValueEscrow;
  logger?: Logger;
  now?: () => Date;
  /** describe calls in flight at once (default 8). */
  concurrency?: number;
}

export async function inspectEnvironments(deps: InspectDeps, environments: EnvironmentView[], signal?: AbortSignal): Promise<TargetInfo[]> {
  const listed = (
    await Promise.all(environments.map(async (environment) => (await environment.list(signal)).map((secret) => ({ environment, secret }))))
  ).flat();
  const infos: TargetInfo[] = new Array<TargetInfo>(listed.length);
  const now = (deps.now ?? (() => new Date()))();
  await runBounded(
    listed,
    deps.concurrency ?? 8,
    async ({ environment, secret }, index) => {
      const base = { ref: secret.ref, project: environment.project, environment: environment.name, key: secret.key };
      const { backend } = environment;
      let description: SecretDescription;
      try {
        description = await backend.describe(parseRef(secret.ref).path);
      } catch (error) {
        deps.logger?.warn('secret could not be described', { ref: secret.ref, error: describeError(error) });
        infos[index] = { ...base, rotatable: false, reason: `Could not be read: ${isLatchkeyError(error) ? error.message : 'unexpected error (details in the log)'}` };
        return;
      }
      let policy: RotationPolicy;
      try {
        policy = policyFromMetadata(description.metadata).policy;
      } catch (error) {
        infos[index] = { ...base, rotatable: false, reason: isLatchkeyError(error) ? error.message : 'Its rotation policy is not valid.' };
        return;
      }
      const due = computeDue({ lastChangedAt: lastChangedAt(description), periodDays: effectivePeriodDays(policy, environment.rotationPeriodDays), now });
      const info: TargetInfo = { ...base, rotatable: true, policy, policyText: describePolicy(policy), due };
      if (!isGenerated(policy)) {
        info.rotatable = false;
        info.reason = 'Rotated by hand (policy "manual"): Latchkey cannot make its new value.';
      } else if (!backend.capabilities.versions && deps.escrow === undefined) {
        info.rotatable = false;
        info.reason = `Kept in ${backend.scheme}, which stores no earlier versions, so the current value could not be restored.`;
      }
      infos[index] = info;
    },
    signal,
  );
  signal?.throwIfAborted();
  return infos;
}
