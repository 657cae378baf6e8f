import type { Core } from '../../core';
import type { ClipboardGuard } from '../clipboard-guard';
import type { Handlers } from '../ipc/router';
import type { Emit, Operations } from '../operations';
import { appHandlers } from './app.handlers';
import { connectionsHandlers } from './connections.handlers';
import { operationsHandlers } from './operations.handlers';
import { lockHandlers } from './lock.handlers';
import { environmentsHandlers, projectsHandlers } from './projects.handlers';
import { secretsHandlers } from './secrets.handlers';
import { sessionsHandlers } from './sessions.handlers';

/** Every area's handlers; the router refuses to start if an entry of the contract has none. */
export interface HandlerDeps {
  core: Core;
  clipboard: ClipboardGuard;
  /** Sends an event to the app's window. */
  emit: Emit;
  /** Long calls with progress and cancel. */
  operations: Operations;
  version: string;
  platform: string;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    app: appHandlers(deps),
    projects: projectsHandlers(deps),
    environments: environmentsHandlers(deps),
    secrets: secretsHandlers(deps),
    operations: operationsHandlers(deps),
    lock: lockHandlers(deps),
    sessions: sessionsHandlers(deps),
    connections: connectionsHandlers(deps),
  };
}
