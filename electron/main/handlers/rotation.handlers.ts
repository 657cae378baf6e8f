import type { Core } from '../../core';
import type { RotationResult } from '../../core/rotation/rotation-result';
import { throwIfFailed } from '../../core/rotation/rotation-service';
import type { Handlers } from '../ipc/router';

/** What a rotation, rollback or restore left current: versions only. A failure is an error whose message says which value is current. */
function outcome(result: RotationResult & { restoredFrom?: string }) {
  throwIfFailed(result);
  return { version: result.version, previousVersion: result.previousVersion, restoredFrom: result.restoredFrom, warning: result.warning };
}

export function rotationHandlers(deps: { core: Core }): Handlers['rotation'] {
  const { rotation } = deps.core;
  return {
    rotate: async ({ project, environment, key, policy, confirmed }) => {
      const result = await rotation.rotate(project, environment, key, { policy, confirmed });
      // The rule left it to a person (or a rotator): nothing changed, and that is an answer, not a failure.
      if (!result.ok && result.rule !== undefined && result.rule.class !== 'generate') return { rotated: false, rule: result.rule };
      return { ...outcome(result), rotated: true, ...(result.rule === undefined ? {} : { rule: result.rule }) };
    },
    rollback: async ({ project, environment, key, confirmed }) => outcome(await rotation.rollback(project, environment, key, { confirmed })),
    restore: async ({ project, environment, key, version, confirmed }) => outcome(await rotation.restore(project, environment, key, version, { confirmed })),
    policy: ({ project, environment, key }) => rotation.policy(project, environment, key),
    setPolicy: async ({ project, environment, key, policy, confirmed }) => {
      await rotation.setPolicy(project, environment, key, policy ?? undefined, { confirmed });
      return {};
    },
    setEnvironmentPeriod: async ({ project, environment, days, confirmed }) => {
      await rotation.setEnvironmentPeriod(project, environment, days ?? undefined, { confirmed });
      return {};
    },
    schedule: async ({ project }) => {
      const { items, counts } = await rotation.schedule(project);
      return {
        items: items.map(({ ref: _ref, project: _project, ...item }) => item),
        counts: counts.map(({ project: _project, ...count }) => count),
      };
    },
  };
}
