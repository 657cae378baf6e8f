import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createLogger } from '../../../electron/core/log';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { createRouter, type Router } from '../../../electron/main/ipc/router';
import { createSenderPolicy } from '../../../electron/main/ipc/sender-policy';
import { createOperations } from '../../../electron/main/operations';
import { APP_URL } from '../../../electron/main/security';
import { listChannels } from '../../../shared/ipc/contract';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

const CANARY = 'canary-router-7b1f0e';
const own = { url: APP_URL, isMainFrame: true };

describe('IPC router', () => {
  let xdg: TempXdg;
  let core: Core;
  let router: Router;
  let logLines: string[];

  beforeEach(async () => {
    xdg = await createTempXdg();
    logLines = [];
    const logger = createLogger({ sink: (line) => logLines.push(line), level: 'debug' });
    core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), logger });
    let clipboardText = '';
    const clipboard = createClipboardGuard({ clipboard: { readText: () => clipboardText, writeText: (text) => void (clipboardText = text) } });
    router = createRouter({
      handlers: createHandlers({ core, clipboard, emit: () => undefined, operations: createOperations(() => undefined), version: 'test', platform: 'linux' }),
      isTrustedSender: createSenderPolicy(APP_URL),
      logger,
    });
  });
  afterEach(() => xdg.cleanup());

  it('registers one channel per contract entry', () => {
    expect([...router.channels].sort()).toEqual(listChannels().map((info) => info.channel).sort());
  });

  it('answers an unknown channel with a typed error', async () => {
    expect(await router.handle('latchkey:secrets.dump', own, {})).toEqual({ ok: false, error: { kind: 'InvalidInput', message: expect.stringContaining('Unknown call') } });
    expect(await router.handle('__proto__', own, {})).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
    expect(await router.handle(42, own, {})).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
  });

  it('answers a malformed payload with InvalidInput naming the field, without echoing it', async () => {
    const result = await router.handle('latchkey:secrets.create', own, { project: 'demo', environment: 'dev', key: '../../etc/passwd', value: CANARY });
    expect(result).toMatchObject({ ok: false, error: { kind: 'InvalidInput', message: expect.stringContaining('key') } });
    expect(JSON.stringify(result)).not.toContain(CANARY);
    expect(await router.handle('latchkey:projects.create', own, { name: 'ok', extra: 1 })).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
    expect(await router.handle('latchkey:projects.create', own, null)).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
  });

  it('refuses a wrong sender before touching core', async () => {
    const calls = [
      { url: 'https://evil.example/', isMainFrame: true },
      { url: `${APP_URL}`, isMainFrame: false },
      { url: 'file:///tmp/index.html', isMainFrame: true },
      { url: '', isMainFrame: true },
    ];
    for (const sender of calls) {
      expect(await router.handle('latchkey:projects.create', sender, { name: 'sneaky' })).toMatchObject({ ok: false, error: { kind: 'PermissionDenied' } });
    }
    expect(await core.projects.list()).toEqual([]);
  });

  it('maps a core error to its kind and message', async () => {
    const result = await router.handle('latchkey:secrets.reveal', own, { project: 'nope', environment: 'dev', key: 'X' });
    expect(result).toEqual({ ok: false, error: { kind: 'NotFound', message: expect.stringContaining('no project "nope"') } });
  });

  it('maps an unexpected error to Internal without its message or stack', async () => {
    const broken = createRouter({
      handlers: { ...createHandlers({ core, clipboard: createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined } }), emit: () => undefined, operations: createOperations(() => undefined), version: 't', platform: 'linux' }), app: { info: async () => { throw new SyntaxError(`Unexpected token in JSON: ${CANARY}`); } } },
      isTrustedSender: createSenderPolicy(APP_URL),
      logger: createLogger({ sink: (line) => logLines.push(line) }),
    });
    const result = await broken.handle('latchkey:app.info', own, {});
    expect(result).toMatchObject({ ok: false, error: { kind: 'Internal' } });
    expect(JSON.stringify(result)).not.toContain(CANARY);
    expect(JSON.stringify(result)).not.toContain('at ');
    expect(logLines.join('\n')).not.toContain(CANARY);
  });

  it('runs a call through to core and back', async () => {
    expect(await router.handle('latchkey:projects.create', own, { name: 'demo' })).toEqual({ ok: true, value: {} });
    expect(await router.handle('latchkey:environments.create', own, { project: 'demo', name: 'dev' })).toEqual({ ok: true, value: {} });
    expect(await router.handle('latchkey:secrets.create', own, { project: 'demo', environment: 'dev', key: 'API_KEY', value: CANARY, note: 'n' })).toEqual({ ok: true, value: { version: '1' } });
    const list = await router.handle('latchkey:secrets.list', own, { project: 'demo', environment: 'dev' });
    expect(list).toMatchObject({ ok: true, value: { items: [{ key: 'API_KEY', note: 'n', version: '1' }] } });
    expect(JSON.stringify(list)).not.toContain(CANARY);
    expect(await router.handle('latchkey:secrets.reveal', own, { project: 'demo', environment: 'dev', key: 'API_KEY' })).toEqual({ ok: true, value: { value: CANARY, version: '1' } });
    expect(logLines.join('\n')).not.toContain(CANARY);
  });
});
