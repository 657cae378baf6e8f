import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createLogger } from '../../../electron/core/log';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { createOperations } from '../../../electron/main/operations';
import { lockGate, OPEN_WHILE_LOCKED } from '../../../electron/main/ipc/lock-gate';
import { createRouter, type Router } from '../../../electron/main/ipc/router';
import { createSenderPolicy } from '../../../electron/main/ipc/sender-policy';
import { APP_URL } from '../../../electron/main/security';
import { listChannels } from '../../../shared/ipc/contract';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { snapshotTree } from '../../harness/tree-snapshot';

const own = { url: APP_URL, isMainFrame: true };
const VALUE = 'canary-gate-value-0c5a1e';

describe('router while the app is locked', () => {
  let xdg: TempXdg;
  let core: Core;
  let router: Router;

  beforeEach(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), logger: createLogger({ sink: () => undefined }) });
    await core.lock.start();
    const clipboard = createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined } });
    router = createRouter({
      handlers: createHandlers({ core, clipboard, emit: () => undefined, operations: createOperations(() => undefined), version: 'test', platform: 'linux' }),
      isTrustedSender: createSenderPolicy(APP_URL),
      logger: createLogger({ sink: () => undefined }),
      gate: lockGate(core.lock),
    });
    await core.refs.set('file://demo/dev/API_KEY', VALUE);
  });
  afterEach(() => xdg.cleanup());

  it('refuses every call but the lock screen’s with Locked, before parsing, changing nothing', async () => {
    await router.handle('latchkey:lock.lockNow', own, {});
    const before = await snapshotTree(xdg.root);
    const closed = listChannels().filter(({ channel }) => !OPEN_WHILE_LOCKED.has(channel));
    expect(closed.length).toBeGreaterThan(10);
    for (const { channel } of closed) {
      for (const payload of [{}, { project: 'demo', environment: 'dev', key: 'API_KEY' }, null]) {
        expect(await router.handle(channel, own, payload), channel).toEqual({ ok: false, error: { kind: 'Locked', message: expect.stringContaining('locked') } });
      }
    }
    expect(await snapshotTree(xdg.root)).toEqual(before);
    expect(await router.handle('latchkey:lock.status', own, {})).toMatchObject({ ok: true, value: { locked: true, reason: 'manual' } });
    expect(await router.handle('latchkey:app.info', own, {})).toMatchObject({ ok: true });
    expect(await router.handle('latchkey:lock.unlock', own, {})).toEqual({ ok: true, value: {} });
    expect(await router.handle('latchkey:secrets.reveal', own, { project: 'demo', environment: 'dev', key: 'API_KEY' })).toEqual({ ok: true, value: { value: VALUE, version: '1' } });
  });

  it('does not deliver a value read by a call that was running when the app locked', async () => {
    // The lock arrives after core read the value and before the router answers.
    const reveal = core.secrets.reveal;
    core.secrets.reveal = async (...args) => {
      const read = await reveal(...args);
      await core.lock.lock('os-lock');
      return read;
    };
    const result = await router.handle('latchkey:secrets.reveal', own, { project: 'demo', environment: 'dev', key: 'API_KEY' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'Locked' } });
    expect(JSON.stringify(result)).not.toContain(VALUE);
  });

  it('refuses secret I/O in core too, for a call that got past the router before the lock', async () => {
    await core.lock.lock('suspend');
    await expect(core.secrets.reveal('demo', 'dev', 'API_KEY')).rejects.toMatchObject({ kind: 'Locked' });
  });
});
