import type { Core } from '../../core';
import type { Handlers } from '../ipc/router';
import type { Operations } from '../operations';

/** Environments side by side: computed in main from keyed fingerprints; no value reaches the renderer. */
export function diffHandlers(deps: { core: Core; operations: Operations }): Handlers['diff'] {
  const { environments } = deps.core;
  return {
    compare: ({ project, environments: names, operationId }) =>
      operationId === undefined ? environments.compare(project, names) : deps.operations.run(operationId, (signal) => environments.compare(project, names, signal)),
    copy: async ({ project, from, to, keys, overwrite, typedNames }) => ({
      results: await environments.copy(project, from, to, keys, { overwrite: overwrite === true, confirmation: { typedNames } }),
    }),
  };
}
