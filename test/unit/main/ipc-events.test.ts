import { describe, expect, it } from 'vitest';
import { createEmitter } from '../../../electron/main/ipc/events';
import type { EventPayload } from '../../../shared/ipc/events';
import { captureLogger } from '../../harness/log-capture';

describe("main's events are parsed against their schemas before they are sent", () => {
  const setUp = () => {
    const sent: { channel: string; payload: unknown }[] = [];
    const { logger, lines } = captureLogger();
    const emit = createEmitter({ target: () => ({ send: (channel, payload) => sent.push({ channel, payload }) }), logger });
    return { sent, lines, emit };
  };

  it('sends a payload that matches its event, on the event channel', () => {
    const { sent, emit } = setUp();
    emit('operation.progress', { operationId: 'op-1', done: 3, total: 10, message: 'Scanned 3 keys' });
    expect(sent).toEqual([{ channel: 'latchkey-event:operation.progress', payload: { operationId: 'op-1', done: 3, total: 10, message: 'Scanned 3 keys' } }]);
  });

  it('drops and logs a payload outside its contract (a handler bug must not reach the page)', () => {
    const { sent, lines, emit } = setUp();
    const canary = 'canary-event-value-8c1f';
    // A field the schema does not know, and a message longer than the schema allows.
    emit('incident.item', { operationId: 'op', ref: 'file://a/b/K', project: 'a', environment: 'b', key: 'K', status: 'rotated', value: canary } as unknown as EventPayload<'incident.item'>);
    emit('operation.progress', { operationId: 'op', done: -1 });
    emit('clipboard.cleared', { reason: 'whenever' } as unknown as EventPayload<'clipboard.cleared'>);
    expect(sent.filter((event) => event.channel !== 'latchkey-event:incident.item')).toEqual([]);
    // Unknown keys are stripped (zod objects are not passthrough): the value never crosses.
    expect(JSON.stringify(sent)).not.toContain(canary);
    expect(lines.filter((line) => line.includes('event outside its contract dropped'))).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(canary);
  });

  it('refuses an event name that is not in the contract', () => {
    const { sent, lines, emit } = setUp();
    emit('__proto__' as 'lock.changed', { locked: true });
    emit('lock.changed', { locked: true, reason: 'idle' });
    expect(sent).toEqual([{ channel: 'latchkey-event:lock.changed', payload: { locked: true, reason: 'idle' } }]);
    expect(lines.some((line) => line.includes('__proto__'))).toBe(true);
  });

  it('sends nothing once the window is gone', () => {
    const { logger } = captureLogger();
    const emit = createEmitter({ target: () => undefined, logger });
    expect(() => emit('lock.changed', { locked: false })).not.toThrow();
  });
});
