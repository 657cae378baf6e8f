import { listChannels, type LatchkeyApi } from '../../shared/ipc/contract';
import { eventChannel, events, type EventName } from '../../shared/ipc/events';

/**
 * Builds `window.latchkey` from the contract: one function per entry, each forwarding its request to
 * main on the entry's channel, plus `events.on` for main's notifications. Nothing else is exposed —
 * no ipcRenderer, no channel names, no way to send on an arbitrary channel.
 */
export type Invoke = (channel: string, request: unknown) => Promise<unknown>;
export type Subscribe = (channel: string, listener: (payload: unknown) => void) => () => void;

export function buildApi(invoke: Invoke, subscribe: Subscribe): LatchkeyApi {
  const areas: Record<string, Record<string, (request: unknown) => Promise<unknown>>> = {};
  for (const { area, name, channel } of listChannels()) {
    (areas[area] ??= {})[name] = (request: unknown) => invoke(channel, request);
  }
  const on = (name: EventName, listener: (payload: unknown) => void) => {
    if (!Object.hasOwn(events, name)) throw new TypeError(`Unknown Latchkey event "${String(name)}"`);
    return subscribe(eventChannel(name), listener);
  };
  return Object.freeze({ ...areas, events: Object.freeze({ on }) }) as unknown as LatchkeyApi;
}
