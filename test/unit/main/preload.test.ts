import { beforeEach, describe, expect, it, vi } from 'vitest';
import { listChannels, type LatchkeyApi } from '../../../shared/ipc/contract';

/** The real preload, loaded fresh for each test against a fresh stand-in `electron`. */
describe('preload (stand-in electron)', () => {
  let standIn: typeof import('../../stand-ins/electron')['standIn'];
  beforeEach(async () => {
    vi.resetModules();
    ({ standIn } = await import('../../stand-ins/electron'));
  });

  it('exposes exactly window.latchkey: one function per contract entry, plus events.on', async () => {
    const invoked: { channel: string; payload: unknown }[] = [];
    standIn.state.rendererInvoke = async (channel, payload) => {
      invoked.push({ channel, payload });
      return { ok: true, value: {} };
    };
    await import('../../../electron/preload/index');
    expect([...standIn.state.exposed.keys()]).toEqual(['latchkey']);
    const api = standIn.state.exposed.get('latchkey') as LatchkeyApi & Record<string, Record<string, unknown>>;
    const exposedCalls = Object.entries(api)
      .filter(([area]) => area !== 'events')
      .flatMap(([area, calls]) => Object.keys(calls).map((name) => `latchkey:${area}.${name}`));
    expect(exposedCalls.sort()).toEqual(listChannels().map((info) => info.channel).sort());
    expect(Object.isFrozen(api)).toBe(true);

    await api.projects.create({ name: 'demo' });
    expect(invoked).toEqual([{ channel: 'latchkey:projects.create', payload: { name: 'demo' } }]);
  });

  it('forwards only the payload of known events, never the IPC event object', async () => {
    await import('../../../electron/preload/index');
    const api = standIn.state.exposed.get('latchkey') as LatchkeyApi;
    const received: unknown[] = [];
    const off = api.events.on('clipboard.cleared', (payload) => received.push(payload));
    const listeners = standIn.state.rendererListeners.get('latchkey-event:clipboard.cleared')!;
    for (const listener of listeners) listener({ sender: 'secret internals' }, { reason: 'timeout' });
    expect(received).toEqual([{ reason: 'timeout' }]);
    off();
    expect(listeners.size).toBe(0);
    expect(() => api.events.on('not.an.event' as 'clipboard.cleared', () => undefined)).toThrow(/Unknown Latchkey event/);
  });
});
