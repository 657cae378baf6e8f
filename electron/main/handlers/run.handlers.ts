import { runCommandFor } from '../../../shared/run-command';
import type { Core } from '../../core';
import type { ClipboardGuard } from '../clipboard-guard';
import type { Handlers } from '../ipc/router';

export function runHandlers(deps: { core: Core; clipboard: ClipboardGuard }): Handlers['run'] {
  return {
    copyCommand: async ({ project, environment }) => {
      // NotFound for an environment that does not exist: the command would only fail in the terminal.
      await deps.core.projects.find(project, environment);
      const command = runCommandFor(project, environment);
      await deps.clipboard.copyText(command);
      return { command };
    },
    watched: async ({ project, environment }) => ({
      runs: (await deps.core.run.watched(project, environment)).map(({ pid, command, keys, startedAt }) => ({ pid, command, keys, startedAt })),
    }),
  };
}
