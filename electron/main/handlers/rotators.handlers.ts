import type { Core } from '../../core';
import { confirmationRequired, invalidInput } from '../../core/errors';
import { type RotatorInput, type RotatorView as CoreRotatorView, endpointName } from '../../core/services';
import type { RotatorDraft } from '../../../shared/ipc/rotators.contract';
import { createChosenFiles } from '../chosen-files';
import type { Handlers } from '../ipc/router';
import type { ChoosePath } from '../path-chooser';

/**
 * A secret's rotator, from the policy dialog. The secret is named by project, environment and key; its
 * reference is the environment's own. A command rotator's executable is one the person chose in the OS
 * dialog (chooseCommand), named here by the id main gave it.
 */
const HOOK = 'hook';

const view = (rotator: CoreRotatorView) => ({
  kind: rotator.kind,
  where: rotator.where,
  format: rotator.format,
  strategy: rotator.strategy,
  self: rotator.self,
  graceSeconds: rotator.graceSeconds,
  ...(rotator.service === undefined ? {} : { service: rotator.service }),
  ...(rotator.command === undefined ? {} : { command: rotator.command }),
  ...(rotator.user === undefined ? {} : { user: rotator.user }),
  ...(rotator.userB === undefined ? {} : { userB: rotator.userB }),
  ...(rotator.timeoutSeconds === undefined ? {} : { timeoutSeconds: rotator.timeoutSeconds }),
});

export function rotatorsHandlers(deps: { core: Core; choosePath?: ChoosePath }): Handlers['rotators'] {
  const { rotators, rotation } = deps.core.services;
  const chosen = createChosenFiles();

  const secretOf = async (where: { project: string; environment: string; key: string }) => {
    const environment = await deps.core.environments.view(where.project, where.environment);
    return { ref: environment.refFor(where.key), protected: environment.protected, ...where };
  };

  const attachedView = async (where: { project: string; environment: string; key: string }) =>
    (await rotators.list({ project: where.project })).find((rotator) => rotator.environment === where.environment && rotator.key === where.key);

  /** The form's rotator as core takes it; a command keeps the executable attached now unless another was chosen. */
  const inputOf = async (where: { project: string; environment: string; key: string }, draft: RotatorDraft): Promise<RotatorInput> => {
    let target: Pick<RotatorInput, 'service' | 'command'>;
    if (draft.target.type === 'service') {
      target = { service: draft.target.service };
    } else if (draft.target.fileId !== undefined) {
      target = { command: chosen.pathOf(draft.target.fileId, HOOK) };
    } else {
      const command = (await attachedView(where))?.command;
      if (command === undefined) throw invalidInput('Choose the executable the command rotator runs.');
      target = { command };
    }
    return {
      ...target,
      ...(draft.user === undefined ? {} : { user: draft.user }),
      ...(draft.userB === undefined ? {} : { userB: draft.userB }),
      ...(draft.strategy === undefined ? {} : { strategy: draft.strategy }),
      ...(draft.self === undefined ? {} : { self: draft.self }),
      ...(draft.graceSeconds === undefined ? {} : { graceSeconds: draft.graceSeconds }),
      ...(draft.timeoutSeconds === undefined ? {} : { timeoutSeconds: draft.timeoutSeconds }),
      ...(draft.format === undefined ? {} : { format: draft.format }),
    };
  };

  const guard = (secret: { protected: boolean; environment: string; key: string }, confirmed: boolean | undefined, what: string) => {
    if (secret.protected && confirmed !== true) throw confirmationRequired(`"${secret.environment}" is protected. Confirm to ${what} of ${secret.key}.`);
  };

  return {
    show: async (where) => {
      await secretOf(where);
      const attached = await attachedView(where);
      return { rotator: attached === undefined ? null : view(attached) };
    },
    list: async ({ project }) => ({
      rotators: (await rotators.list({ project })).map((rotator) => ({ environment: rotator.environment, key: rotator.key, kind: rotator.kind, name: endpointName(rotator), where: rotator.where })),
    }),
    set: async ({ rotator, confirmed, ...where }) => {
      const secret = await secretOf(where);
      guard(secret, confirmed, 'change the rotator');
      return { rotator: view(await rotators.set(secret.ref, await inputOf(where, rotator))) };
    },
    remove: async ({ confirmed, ...where }) => {
      const secret = await secretOf(where);
      guard(secret, confirmed, 'remove the rotator');
      await rotators.remove(secret.ref);
      return {};
    },
    test: async ({ draft, ...where }) => {
      const secret = await secretOf(where);
      const checked = draft === undefined ? await rotation.check(secret.ref, where) : await rotation.check(secret.ref, where, await rotators.draft(secret.ref, await inputOf(where, draft)));
      return { service: checked.service, steps: checked.steps };
    },
    chooseCommand: async () => {
      if (deps.choosePath === undefined) throw invalidInput('Choosing a file is not available here.');
      const path = await deps.choosePath({ purpose: HOOK, title: 'Choose the rotation hook (an executable; it gets the new value on its standard input)' });
      return path === undefined ? { cancelled: true } : { cancelled: false, fileId: chosen.remember(path, HOOK), path };
    },
  };
}
