import type { z } from 'zod';
import { appContract } from './app.contract';
import { connectionsContract } from './connections.contract';
import { auditContract } from './audit.contract';
import { diffContract } from './diff.contract';
import { envfilesContract } from './envfiles.contract';
import { incidentsContract } from './incidents.contract';
import type { ContractEntry, IpcResult } from './entry';
import type { EventName, EventPayload } from './events';
import { operationsContract } from './operations.contract';
import { lockContract } from './lock.contract';
import { environmentsContract, projectsContract } from './projects.contract';
import { rotationContract } from './rotation.contract';
import { rotatorsContract } from './rotators.contract';
import { runContract } from './run.contract';
import { secretsContract } from './secrets.contract';
import { servicesContract } from './services.contract';
import { sessionsContract } from './sessions.contract';
import { snapshotsContract } from './snapshots.contract';

/**
 * The whole IPC surface, area by area. The preload builds `window.latchkey.<area>.<call>` from this
 * object and main registers a handler for every entry; nothing else crosses the boundary.
 */
export const contract = {
  app: appContract,
  projects: projectsContract,
  environments: environmentsContract,
  secrets: secretsContract,
  operations: operationsContract,
  lock: lockContract,
  sessions: sessionsContract,
  connections: connectionsContract,
  services: servicesContract,
  rotators: rotatorsContract,
  rotation: rotationContract,
  incidents: incidentsContract,
  diff: diffContract,
  envfiles: envfilesContract,
  snapshots: snapshotsContract,
  audit: auditContract,
  run: runContract,
};

export type Contract = typeof contract;
export type Area = keyof Contract;
export type CallName<A extends Area> = keyof Contract[A] & string;
type EntryOf<A extends Area, C extends CallName<A>> = Contract[A][C] extends ContractEntry ? Contract[A][C] : never;
export type RequestOf<A extends Area, C extends CallName<A>> = z.input<EntryOf<A, C>['request']>;
export type ParsedRequestOf<A extends Area, C extends CallName<A>> = z.output<EntryOf<A, C>['request']>;
export type ResultOf<A extends Area, C extends CallName<A>> = z.output<EntryOf<A, C>['result']>;

export const channelOf = (area: string, name: string) => `latchkey:${area}.${name}`;

export interface ChannelInfo {
  area: string;
  name: string;
  channel: string;
  entry: ContractEntry;
}

export function listChannels(): ChannelInfo[] {
  return Object.entries(contract).flatMap(([area, entries]) =>
    Object.entries(entries as Record<string, ContractEntry>).map(([name, entry]) => ({ area, name, channel: channelOf(area, name), entry })),
  );
}

export interface EventsApi {
  /** Subscribes to a notification from main; returns the unsubscribe function. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** `window.latchkey`. */
export type LatchkeyApi = {
  [A in Area]: { [C in CallName<A>]: (request: RequestOf<A, C>) => Promise<IpcResult<ResultOf<A, C>>> };
} & { events: EventsApi };
