import { cancelled } from '../core/errors';
import type { Emit } from './ipc/events';

export type { Emit } from './ipc/events';

/**
 * Long calls, each under an id the renderer chose: main keeps their AbortController (for
 * operations.cancel) and forwards their progress as `operation.progress` events.
 */

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

/** What a window announces when the page that started operations goes away (Electron's WebContents). */
export interface PageEvents {
  on(event: 'did-start-navigation', listener: (details: { isMainFrame: boolean; isSameDocument: boolean }) => void): unknown;
  on(event: 'render-process-gone' | 'destroyed', listener: () => void): unknown;
}

/**
 * A window's operations end with its page: when it reloads (or navigates), its renderer crashes or it
 * is closed, nobody is left to follow their progress or cancel them, so they are cancelled — a keyspace
 * walk or an incident does not run on for a page that no longer exists. Latchkey has one window, so its
 * operations are all of them.
 */
export function cancelWithPage(page: PageEvents, operations: Pick<Operations, 'cancelAll'>): void {
  page.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) operations.cancelAll();
  });
  page.on('render-process-gone', () => operations.cancelAll());
  page.on('destroyed', () => operations.cancelAll());
}
