import { eventChannel, events, type EventName, type EventPayload } from '../../../shared/ipc/events';
import type { Logger } from '../../core/log';

/**
 * The only way main notifies the window. Every payload is parsed against its event's schema before it
 * is sent, as requests are on the way in: an event that does not match its contract (a handler bug, a
 * field that could carry more than it should) is dropped and logged by name, never sent.
 */
export type Emit = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** Where events go: the window's webContents while it exists. */
export interface EventTarget {
  send(channel: string, payload: unknown): void;
}

export function createEmitter(options: { target: () => EventTarget | undefined; logger: Logger }): Emit {
  return (name, payload) => {
    const parsed = Object.hasOwn(events, name) ? events[name].safeParse(payload) : undefined;
    if (parsed === undefined || !parsed.success) {
      options.logger.error('ipc: event outside its contract dropped', { event: String(name), issues: parsed?.error.issues.map((issue) => issue.path.join('.')) ?? [] });
      return;
    }
    options.target()?.send(eventChannel(name), parsed.data);
  };
}
