import { cancelled } from '../core/errors';
import type { EventName, EventPayload } from '../../shared/ipc/events';

/**
 * Long calls, each under an id the renderer chose: main keeps their AbortController (for
 * operations.cancel) and forwards their progress as `operation.progress` events.
 */
export type Emit = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export interface Progress {
  done: number;
  total?: number;
  message?: string;
}

export function createOperations(emit: Emit) {
  const running = new Map<string, AbortController>();
  return {
    /** Runs `work` under `operationId`; a second call with an id still running is refused. */
    async run<T>(operationId: string, work: (signal: AbortSignal, progress: (update: Progress) => void) => Promise<T>): Promise<T> {
      if (running.has(operationId)) throw cancelled('An operation with this id is already running.');
      const controller = new AbortController();
      running.set(operationId, controller);
      try {
        return await work(controller.signal, (update) => emit('operation.progress', { operationId, ...update }));
      } finally {
        running.delete(operationId);
      }
    },
    cancel(operationId: string): boolean {
      const controller = running.get(operationId);
      controller?.abort();
      return controller !== undefined;
    },
    /** Aborts everything still running (the app is quitting or locking). */
    cancelAll(): void {
      for (const controller of running.values()) controller.abort();
    },
  };
}

export type Operations = ReturnType<typeof createOperations>;
