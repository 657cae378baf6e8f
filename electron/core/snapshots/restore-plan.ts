import { runBounded } from '../async/bounded-pool';
import type { EnvironmentView } from '../environments/environment-view';
import type { Fingerprinter } from '../environments/fingerprint';
import { readIfPresent } from '../environments/put-secret';
import { isLatchkeyError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import { parseRef } from '../secrets/reference';
import type { RestoreTarget, TargetSource } from './restore-target';

/**
 * A restore's plan, key by key, against the environment as it is now: `change` (the value differs),
 * `recreate` (it was deleted since), `unchanged`, `new` (created since the moment: deleted only when
 * ticked), `unavailable` (the target value cannot be had, or the current one cannot be read). Values
 * are compared by keyed fingerprint, as Compare does; a preview drops them at once, and only a plan
 * made to be applied keeps the values it will write.
 */
export type PlanAction = 'change' | 'recreate' | 'unchanged' | 'new' | 'unavailable';

export interface PlannedKey {
  key: string;
  ref: string;
  action: PlanAction;
  source?: TargetSource;
  /** The version whose value is put back, where it is one. */
  version?: string;
  /** Why a key is unavailable. */
  reason?: string;
  /** The version current now (what a write checks against). */
  currentVersion?: string;
  /** Only in a plan made to be applied: the value to write. */
  value?: string;
  /** Only in a plan made to be applied, for a key deleted softly: reads its value once it is undeleted. */
  read?: () => Promise<string>;
  metadata?: Record<string, string>;
}

export interface PlanDeps {
  fingerprinter: Fingerprinter;
  logger?: Logger;
  /** Reads in flight at once (default 8). */
  concurrency?: number;
}

export async function planRestore(deps: PlanDeps, view: EnvironmentView, target: RestoreTarget, options: { keepValues?: boolean; signal?: AbortSignal } = {}): Promise<PlannedKey[]> {
  const listed = new Map((await view.list(options.signal)).map((secret) => [secret.key, secret.ref]));
  const keys = [...new Set([...target.keys.keys(), ...(target.wholeEnvironment ? listed.keys() : [])])].sort();
  // A key absent then and absent now has no row.
  const items: (PlannedKey | undefined)[] = new Array<PlannedKey | undefined>(keys.length);

  await runBounded(
    keys,
    deps.concurrency ?? 8,
    async (key, index) => {
      const ref = listed.get(key) ?? view.refFor(key);
      const aim = target.keys.get(key) ?? { kind: 'absent' as const, source: 'snapshot' as const };
      const path = parseRef(ref).path;
      if (aim.kind === 'unavailable') {
        items[index] = { key, ref, action: 'unavailable', reason: aim.reason };
        return;
      }
      if (aim.kind === 'absent') {
        // Listed but deleted softly (Vault lists a key whose latest version is deleted) is absent too.
        const present = listed.has(key) && (!undeletes(view) || (await readIfPresent(view.backend, path).then((read) => read !== undefined, () => true)));
        if (present) items[index] = { key, ref, action: 'new', source: aim.source };
        return;
      }
      const about = { key, ref, source: aim.source, ...(aim.version === undefined ? {} : { version: aim.version }), ...(aim.metadata === undefined ? {} : { metadata: aim.metadata }) };
      let current;
      try {
        current = listed.has(key) ? await readIfPresent(view.backend, path) : undefined;
      } catch (error) {
        deps.logger?.warn('restore: the current value cannot be read', { ref, error: describeError(error) });
        items[index] = { ...about, action: 'unavailable', reason: reasonOf(error, 'its current value could not be read') };
        return;
      }
      let wanted: string;
      try {
        wanted = await aim.read();
      } catch (error) {
        // A key deleted softly keeps its versions, but some backends (AWS) serve none of them until it is undeleted.
        if (current === undefined && undeletes(view)) {
          items[index] = { ...about, action: 'recreate', reason: 'deleted softly: the backend undeletes it, then its value from then is written', ...(options.keepValues === true ? { read: aim.read } : {}) };
          return;
        }
        deps.logger?.warn('restore: the value to put back cannot be read', { ref, error: describeError(error) });
        items[index] = { ...about, action: 'unavailable', reason: reasonOf(error, 'its value from then could not be read') };
        return;
      }
      const currentVersion = current?.version === undefined ? {} : { currentVersion: current.version };
      const value = options.keepValues === true ? { value: wanted } : {};
      if (current === undefined) items[index] = { ...about, action: 'recreate', ...value };
      else if (deps.fingerprinter.fingerprint(current.value) === deps.fingerprinter.fingerprint(wanted)) items[index] = { ...about, ...currentVersion, action: 'unchanged' };
      else items[index] = { ...about, ...currentVersion, action: 'change', ...value };
    },
    options.signal,
  );
  options.signal?.throwIfAborted();
  return items.filter((item): item is PlannedKey => item !== undefined);
}

/** Whether the backend can bring back a secret it deleted softly (Vault, AWS, Azure). */
export function undeletes(view: EnvironmentView): boolean {
  return view.backend.capabilities.softDelete && view.backend.restore !== undefined;
}

function reasonOf(error: unknown, fallback: string): string {
  return isLatchkeyError(error) ? error.message.replace(/\.$/, '') : fallback;
}
