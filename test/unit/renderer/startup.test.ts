import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApi } from '../../../electron/preload/api';
import { eventChannel } from '../../../shared/ipc/events';

/**
 * Start-up and the lock as store actions (renderer/src/stores/startup.ts), run over the real preload's
 * bridge to a scripted main: what is asked, in which order, and what the stores hold after.
 */
type Answer = { ok: true; value: unknown } | { ok: false; error: { kind: string; message: string } };

describe('renderer start-up as store actions', () => {
  let calls: string[];
  let locked: boolean;
  let listeners: Map<string, Set<(payload: unknown) => void>>;
  let page: EventTarget & { document?: unknown };
  let documentEvents: EventTarget;

  const projects = [
    { name: 'payments', environments: [{ name: 'dev' }] },
    { name: 'search', environments: [{ name: 'prod' }] },
  ];
  const answers: Record<string, () => Answer> = {
    'latchkey:lock.status': () => ({ ok: true, value: { locked, reason: locked ? 'startup' : undefined, method: locked ? 'passphrase' : 'keychain', idleTimeoutMinutes: 5 } }),
    'latchkey:projects.list': () => (locked ? { ok: false, error: { kind: 'Locked', message: 'Latchkey is locked.' } } : { ok: true, value: { projects } }),
    'latchkey:rotation.schedule': () => ({ ok: true, value: { items: [], counts: [] } }),
  };

  const load = async () => {
    const startup = await import('../../../renderer/src/stores/startup');
    const { useLock } = await import('../../../renderer/src/stores/lock.store');
    const { useProjects } = await import('../../../renderer/src/stores/projects.store');
    const { useUi } = await import('../../../renderer/src/stores/ui.store');
    const { useToasts } = await import('../../../renderer/src/stores/toasts.store');
    return { ...startup, useLock, useProjects, useUi, useToasts };
  };
  const deliver = (name: string, payload: unknown) => {
    for (const listener of listeners.get(eventChannel(name as 'lock.changed')) ?? []) listener(payload);
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

  beforeEach(() => {
    vi.resetModules();
    calls = [];
    locked = false;
    listeners = new Map();
    const latchkey = buildApi(
      async (channel, request) => {
        calls.push(channel === 'latchkey:rotation.schedule' ? `${channel} ${(request as { project: string }).project}` : channel);
        return (answers[channel] ?? (() => ({ ok: true, value: {} })))();
      },
      (channel, listener) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(listener);
        return () => listeners.get(channel)!.delete(listener);
      },
    );
    page = Object.assign(new EventTarget(), { latchkey });
    documentEvents = new EventTarget();
    vi.stubGlobal('window', page);
    vi.stubGlobal('document', Object.assign(documentEvents, { documentElement: { dataset: {} as Record<string, string> }, visibilityState: 'visible' }));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('reads the lock, then the projects, then the open project’s schedule', async () => {
    const app = await load();
    const stop = app.followMain();
    await app.startUp();
    await settle();
    expect(calls).toEqual(['latchkey:lock.status', 'latchkey:projects.list', 'latchkey:rotation.schedule payments']);
    expect(app.useProjects.getState()).toMatchObject({ loaded: true, selectedProject: 'payments', selectedEnvironment: 'dev' });
    // Opening another project loads its schedule.
    app.useProjects.getState().select('search');
    await settle();
    expect(calls.at(-1)).toBe('latchkey:rotation.schedule search');
    stop();
  });

  it('asks nothing else while locked; on unlock reads everything again', async () => {
    locked = true;
    const app = await load();
    const stop = app.followMain();
    await app.startUp();
    expect(calls).toEqual(['latchkey:lock.status']);
    expect(app.useLock.getState()).toMatchObject({ locked: true, loaded: true });
    locked = false;
    deliver('lock.changed', { locked: false });
    await settle();
    expect(calls).toEqual(['latchkey:lock.status', 'latchkey:lock.status', 'latchkey:projects.list', 'latchkey:rotation.schedule payments']);
    expect(app.useLock.getState().locked).toBe(false);
    stop();
  });

  it('hides every revealed value when main locks the app or the window is hidden', async () => {
    const app = await load();
    const stop = app.followMain();
    await app.startUp();
    const before = app.useUi.getState().hideEpoch;
    locked = true;
    deliver('lock.changed', { locked: true, reason: 'idle' });
    expect(app.useUi.getState().hideEpoch).toBe(before + 1);
    expect(app.useLock.getState()).toMatchObject({ locked: true, reason: 'idle' });
    (document as unknown as { visibilityState: string }).visibilityState = 'hidden';
    documentEvents.dispatchEvent(new Event('visibilitychange'));
    expect(app.useUi.getState().hideEpoch).toBe(before + 2);
    stop();
    deliver('lock.changed', { locked: true, reason: 'idle' });
    expect(app.useUi.getState().hideEpoch).toBe(before + 2);
  });

  it('keeps the page theme in step, tells of a cleared clipboard, and shows uncaught call failures', async () => {
    const app = await load();
    const stop = app.followMain();
    const dataset = (document as unknown as { documentElement: { dataset: Record<string, string> } }).documentElement.dataset;
    expect(dataset.theme).toBe('system');
    app.useUi.getState().setTheme('dark');
    expect(dataset.theme).toBe('dark');
    deliver('clipboard.cleared', { reason: 'timeout' });
    const { CallError } = await import('../../../renderer/src/client');
    page.dispatchEvent(Object.assign(new Event('unhandledrejection', { cancelable: true }), { reason: new CallError('BackendUnavailable', 'Redis is not answering.') }));
    expect(app.useToasts.getState().toasts.map((toast) => [toast.tone, toast.text])).toEqual([
      ['info', 'The clipboard was cleared.'],
      ['error', 'Redis is not answering.'],
    ]);
    stop();
  });
});
