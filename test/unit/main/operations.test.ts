import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../shared/ipc/events';
import { cancelWithPage, createOperations, type PageEvents } from '../../../electron/main/operations';

describe('long operations', () => {
  it('forwards progress under the operation id and cancels through the signal', async () => {
    const events: EventPayload<'operation.progress'>[] = [];
    const operations = createOperations((name, payload) => {
      if (name === 'operation.progress') events.push(payload as EventPayload<'operation.progress'>);
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = operations.run('op-12345678', async (signal, progress) => {
      progress({ done: 1, total: 3, message: 'first' });
      await gate;
      return signal.aborted ? 'stopped' : 'finished';
    });
    expect(operations.cancel('op-12345678')).toBe(true);
    release();
    expect(await running).toBe('stopped');
    expect(events).toEqual([{ operationId: 'op-12345678', done: 1, total: 3, message: 'first' }]);
    expect(operations.cancel('op-12345678')).toBe(false);
  });

  it('refuses a second operation under an id that is still running', async () => {
    const operations = createOperations(() => undefined);
    let release: () => void = () => undefined;
    const first = operations.run('same-id-0001', () => new Promise<void>((resolve) => (release = resolve)));
    await expect(operations.run('same-id-0001', async () => undefined)).rejects.toMatchObject({ kind: 'Cancelled' });
    release();
    await first;
  });
});

describe("a window's operations end with its page", () => {
  const hanging = (operations: ReturnType<typeof createOperations>, id: string) =>
    operations.run(id, (signal) => new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('cancelled'))));

  it('cancels what is running when the page reloads, its renderer crashes, or the window closes', async () => {
    for (const [event, ...args] of [
      ['did-start-navigation', { isMainFrame: true, isSameDocument: false }],
      ['render-process-gone', {}, { reason: 'crashed' }],
      ['destroyed'],
    ] as const) {
      const page = new EventEmitter();
      const operations = createOperations(() => undefined);
      cancelWithPage(page as unknown as PageEvents, operations);
      const first = hanging(operations, 'walk-1');
      const second = hanging(operations, 'walk-2');
      page.emit(event, ...args);
      expect(await Promise.all([first, second]), event).toEqual(['cancelled', 'cancelled']);
    }
  });

  it('leaves them running for an in-page navigation or a subframe', async () => {
    const page = new EventEmitter();
    const operations = createOperations(() => undefined);
    cancelWithPage(page as unknown as PageEvents, operations);
    const walk = hanging(operations, 'walk-3');
    page.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    page.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false });
    expect(operations.cancel('walk-3')).toBe(true);
    expect(await walk).toBe('cancelled');
  });
});
