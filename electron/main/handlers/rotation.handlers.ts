import type { Core } from '../../core';
import { throwIfFailed, type RotationResult } from '../../core/rotation';
import type { ServiceRotationStep } from '../../core/services';
import type { Handlers } from '../ipc/router';
import type { Emit } from '../operations';

/** What a rotation, rollback or restore left current: versions only. A failure is an error whose message says which value is current. */
function outcome(result: RotationResult & { restoredFrom?: string }) {
  throwIfFailed(result);
  return { version: result.version, previousVersion: result.previousVersion, restoredFrom: result.restoredFrom, warning: result.warning };
}

export function rotationHandlers(deps: { core: Core; emit: Emit }): Handlers['rotation'] {
  const { rotation } = deps.core;
  return {
    rotate: async ({ project, environment, key, policy, confirmed, operationId }) => {
      // A rotation at a service reports each step as it completes, for the app to show live.
      const onStep = operationId === undefined ? undefined : ({ step, service, at }: ServiceRotationStep) => deps.emit('rotation.step', { operationId, key, step, service, ...(at === undefined ? {} : { at }) });
      const result = await rotation.rotate(project, environment, key, { policy, confirmed, ...(onStep === undefined ? {} : { onStep }) });
      // The rule left it to a person (or a rotator): nothing changed, and that is an answer, not a failure.
      if (!result.ok && result.rule !== undefined && result.rule.class !== 'generate') return { rotated: false, rule: result.rule };
      return {
        ...outcome(result),
        rotated: true,
        ...(result.rule === undefined ? {} : { rule: result.rule }),
        ...(result.changedAt === undefined ? {} : { changedAt: result.changedAt }),
        ...(result.oldRetired === undefined ? {} : { oldRetired: result.oldRetired }),
        ...(result.oldRefused === undefined ? {} : { oldRefused: result.oldRefused }),
      };
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
