/// <reference types="vite/client" />
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createLogger } from '../../../electron/core/log';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { createOperations } from '../../../electron/main/operations';
import { lockGate } from '../../../electron/main/ipc/lock-gate';
import { createRouter } from '../../../electron/main/ipc/router';
import { createSenderPolicy } from '../../../electron/main/ipc/sender-policy';
import { APP_URL } from '../../../electron/main/security';
import { buildApi } from '../../../electron/preload/api';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

/**
 * The renderer's zustand stores never hold a value. Every store module of the renderer (found by file
 * name, so a new store is included) is loaded over `window.latchkey` built by the real preload code
 * and bound to the real router and core; the stores' own actions run, values are revealed and copied
 * through the same API the UI uses, calls fail with real error messages — and no store's state, as
 * text, contains a canary.
 */
type Store = { getState(): Record<string, unknown> };
const CANARY = 'canary-renderer-store-3e9b';
const PASSPHRASE = 'canary-renderer-passphrase-71a2';

describe('renderer stores hold no values (real preload API, router and core)', () => {
  let xdg: TempXdg;
  let core: Core;
  let stores: Record<string, Store>;

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), logger: createLogger({ sink: () => undefined }), passphraseCost: { N: 2 ** 10, r: 8, p: 1 } });
    await core.lock.start();
    const clipboard = createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined } });
    const router = createRouter({
      handlers: createHandlers({ core, clipboard, emit: () => undefined, operations: createOperations(() => undefined), version: 'test', platform: 'linux' }),
      isTrustedSender: createSenderPolicy(APP_URL),
      logger: createLogger({ sink: () => undefined }),
      gate: lockGate(core.lock),
    });
    // What crosses the bridge is a structured clone, both ways.
    const api = buildApi(
      async (channel, request) => structuredClone(await router.handle(channel, { url: APP_URL, isMainFrame: true }, structuredClone(request))),
      () => () => undefined,
    );
    vi.stubGlobal('window', { latchkey: api });
    const modules = import.meta.glob<Record<string, unknown>>(['../../../renderer/src/stores/*.store.ts', '../../../renderer/src/components/*.store.ts']);
    stores = {};
    for (const [file, load] of Object.entries(modules)) {
      for (const [name, exported] of Object.entries(await load())) {
        if (typeof exported === 'function' && typeof (exported as Partial<Store>).getState === 'function') stores[`${file.replace(/^.*\//, '')} ${name}`] = exported as unknown as Store;
      }
    }
    await core.refs.set('file://app/dev/API_KEY', CANARY);
  });
  afterAll(async () => {
    vi.unstubAllGlobals();
    await xdg.cleanup();
  });

  const everyStoreAsText = () => JSON.stringify(Object.fromEntries(Object.entries(stores).map(([name, store]) => [name, store.getState()])));

  it('finds the stores', () => {
    expect(Object.keys(stores).length).toBeGreaterThanOrEqual(6);
  });

  it('after loading, revealing, copying, failing and locking, no store holds a value or the passphrase', async () => {
    const store = (suffix: string) => Object.entries(stores).find(([name]) => name.endsWith(suffix))![1].getState() as Record<string, (...args: unknown[]) => unknown>;
    await store('useProjects').load!();
    store('useProjects').select!('app', 'dev');
    await store('useSecrets').load!('app', 'dev');
    await store('useLock').load!();
    // The UI reveals and copies through window.latchkey; the value comes back to the caller only.
    expect(await window.latchkey.secrets.reveal({ project: 'app', environment: 'dev', key: 'API_KEY' })).toMatchObject({ ok: true, value: { value: CANARY } });
    expect(await window.latchkey.secrets.copy({ project: 'app', environment: 'dev', key: 'API_KEY' })).toMatchObject({ ok: true });
    // Failing calls whose messages the UI shows in toasts.
    for (const answer of [
      await window.latchkey.secrets.create({ project: 'app', environment: 'dev', key: 'API_KEY', value: CANARY }),
      await window.latchkey.secrets.create({ project: 'app', environment: 'dev', key: '../X', value: CANARY }),
      await window.latchkey.lock.unlock({ passphrase: PASSPHRASE }),
    ]) {
      if (!answer.ok) store('useToasts').show!('error', answer.error.message);
    }
    await window.latchkey.lock.setPassphrase({ passphrase: PASSPHRASE });
    await window.latchkey.lock.lockNow({});
    store('useLock').apply!({ locked: true, reason: 'manual' });
    store('useUi').hideAllRevealed!();
    await store('useSecrets').load!('app', 'dev'); // refused while locked: its error lands in the store
    expect(String(store('useSecrets').error)).toContain('locked');
    await window.latchkey.lock.unlock({ passphrase: PASSPHRASE });
    await store('useSecrets').load!('app', 'dev');
    expect(store('useSecrets').items).toEqual([expect.objectContaining({ key: 'API_KEY' })]);

    // Sessions: a session server saved with a password (to the keychain); the store lists it without it.
    expect(await window.latchkey.sessions.saveServer({ name: 'sessions-redis', settings: { url: 'redis://127.0.0.1:6399' }, password: CANARY })).toMatchObject({ ok: true });
    await store('useSessions').load!();
    expect(store('useSessions').selected).toBe('sessions-redis');

    // Services: an admin URL typed into the Services form; its password goes to the keychain, and the store lists the service without it.
    expect(await window.latchkey.services.add({ name: 'pg-store', kind: 'postgres', adminUrl: `postgres://admin:${CANARY}@127.0.0.1:5439/postgres` })).toMatchObject({ ok: true });
    await store('useServices').load!();
    await store('useRotators').load!('app');
    expect(store('useServices').services).toEqual([expect.objectContaining({ name: 'pg-store', credentials: 'stored' })]);

    const text = everyStoreAsText();
    expect(text).toContain('API_KEY'); // the stores were really filled
    expect(text).toContain('sessions-redis');
    expect(text).toContain('pg-store');
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(PASSPHRASE);
  });
});
