import type { Handlers } from '../ipc/router';
import type { Operations } from '../operations';

export function operationsHandlers(deps: { operations: Operations }): Handlers['operations'] {
  return {
    cancel: async ({ operationId }) => ({ cancelled: deps.operations.cancel(operationId) }),
  };
}
