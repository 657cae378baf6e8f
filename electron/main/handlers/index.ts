import type { Core } from '../../core';
import type { ClipboardGuard } from '../clipboard-guard';
import type { Handlers } from '../ipc/router';
import type { Emit, Operations } from '../operations';
import type { ChoosePath } from '../path-chooser';
import { appHandlers } from './app.handlers';
import { connectionsHandlers } from './connections.handlers';
import { auditHandlers } from './audit.handlers';
import { diffHandlers } from './diff.handlers';
import { envfilesHandlers } from './envfiles.handlers';
import { incidentsHandlers } from './incidents.handlers';
import { operationsHandlers } from './operations.handlers';
import { lockHandlers } from './lock.handlers';
import { environmentsHandlers, projectsHandlers } from './projects.handlers';
import { rotationHandlers } from './rotation.handlers';
import { rotatorsHandlers } from './rotators.handlers';
import { runHandlers } from './run.handlers';
import { secretsHandlers } from './secrets.handlers';
import { servicesHandlers } from './services.handlers';
import { sessionsHandlers } from './sessions.handlers';
import { snapshotsHandlers } from './snapshots.handlers';

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
  /** Asks the person for a file (.env export and import, Mycelium import, a rotation hook); absent: those calls are refused. */
  choosePath?: ChoosePath;
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
    services: servicesHandlers(deps),
    rotators: rotatorsHandlers(deps),
    rotation: rotationHandlers(deps),
    incidents: incidentsHandlers(deps),
    diff: diffHandlers(deps),
    envfiles: envfilesHandlers(deps),
    snapshots: snapshotsHandlers(deps),
    audit: auditHandlers(deps),
    run: runHandlers(deps),
  };
}
