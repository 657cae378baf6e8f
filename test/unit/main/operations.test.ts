import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../shared/ipc/events';
import { createOperations } from '../../../electron/main/operations';

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
