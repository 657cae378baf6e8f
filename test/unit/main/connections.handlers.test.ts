import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createLogger } from '../../../electron/core/log';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { createRouter, type Router } from '../../../electron/main/ipc/router';
import { createSenderPolicy } from '../../../electron/main/ipc/sender-policy';
import { createOperations, type Emit } from '../../../electron/main/operations';
import { APP_URL } from '../../../electron/main/security';
import type { EventPayload } from '../../../shared/ipc/events';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// The connections area over IPC, through the real router into a real core: credentials go in and
// never come back out; environments show backend and location for every binding; a listing with an
// operationId reports progress.

const CANARY = 'canary-ipc-connection-4d2a';
const own = { url: APP_URL, isMainFrame: true };

describe('connections over IPC', () => {
  let xdg: TempXdg;
  let core: Core;
  let router: Router;
  let logLines: string[];
  let progress: EventPayload<'operation.progress'>[];
  const env: Record<string, string | undefined> = {};

  beforeEach(async () => {
    xdg = await createTempXdg();
    logLines = [];
    progress = [];
    const logger = createLogger({ sink: (line) => logLines.push(line), level: 'debug' });
    core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), env, logger });
    const emit: Emit = (name, payload) => {
      if (name === 'operation.progress') progress.push(payload as EventPayload<'operation.progress'>);
    };
    router = createRouter({
      handlers: createHandlers({ core, clipboard: createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined } }), emit, operations: createOperations(emit), version: 'test', platform: 'linux' }),
      isTrustedSender: createSenderPolicy(APP_URL),
      logger,
    });
  });
  afterEach(async () => {
    await core.close();
    await xdg.cleanup();
  });

  const call = async (name: string, request: unknown) => router.handle(`latchkey:${name}`, own, request);

  it('adds a connection with credentials; no result carries them, only whether they are stored', async () => {
    const added = await call('connections.add', { name: 'staging-vault', settings: { kind: 'vault', address: 'https://vault.example.com:8200', auth: { method: 'token' } }, credentials: { token: CANARY } });
    expect(added).toMatchObject({ ok: true, value: { connection: { name: 'staging-vault', kind: 'vault', credentials: 'stored', location: 'vault.example.com:8200 · mount secret' } } });
    const listed = await call('connections.list', {});
    expect(listed).toMatchObject({ ok: true, value: { connections: [{ name: 'staging-vault', credentials: 'stored' }] } });
    expect(JSON.stringify([added, listed])).not.toContain(CANARY);
    expect(JSON.stringify(listed)).not.toContain('credentialsAccount');
    expect(logLines.join('\n')).not.toContain(CANARY);
  });

  it('a bad setting is InvalidInput naming the field, never echoing a credential', async () => {
    const result = await call('connections.add', { name: 'v', settings: { kind: 'vault', address: 'not a url', auth: { method: 'token' } }, credentials: { token: CANARY } });
    expect(result).toMatchObject({ ok: false, error: { kind: 'InvalidInput', message: expect.stringContaining('address') } });
    expect(JSON.stringify(result)).not.toContain(CANARY);
    expect(await call('connections.add', { name: 'v', settings: { kind: 'vault' }, token: CANARY })).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
    // What a structured clone can carry but JSON cannot is refused, never a crash.
    const cyclic: Record<string, unknown> = { kind: 'env' };
    cyclic.self = cyclic;
    for (const settings of [{ kind: 'env', size: 10n }, cyclic, new Map([['kind', 'env']]), { kind: 'env', deep: [[[[[[[['x']]]]]]]] }]) {
      expect(await call('connections.add', { name: 'v', settings })).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
    }
  });

  it('projects.list shows backend and location for every binding, and environments.update rebinds', async () => {
    await call('connections.add', { name: 'vault', settings: { kind: 'vault', address: 'https://vault.example.com', auth: { method: 'token' } } });
    await call('connections.add', { name: 'aws', settings: { kind: 'aws', region: 'us-east-1', credentials: { source: 'default-chain' } } });
    await call('projects.create', { name: 'app' });
    await call('environments.create', { project: 'app', name: 'dev' });
    await call('environments.create', { project: 'app', name: 'staging', binding: { backend: 'connection', connection: 'vault', prefix: 'app/staging/' } });
    await call('environments.create', { project: 'app', name: 'prod' });
    expect(await call('environments.update', { project: 'app', name: 'prod', changes: { binding: { backend: 'connection', connection: 'aws', prefix: 'app/prod/' } } })).toMatchObject({
      ok: false,
      error: { kind: 'ConfirmationRequired' },
    });
    expect(await call('environments.update', { project: 'app', name: 'prod', changes: { binding: { backend: 'connection', connection: 'aws', prefix: 'app/prod/' } }, confirmed: true })).toMatchObject({ ok: true });
    const listed = await call('projects.list', {});
    expect(listed.ok && (listed.value as { projects: { environments: unknown[] }[] }).projects[0]!.environments).toEqual([
      { name: 'dev', colour: '#16a34a', protected: false, backend: 'Local encrypted store', location: 'file://app/dev/', binding: { backend: 'file' }, features: { versions: true, softDelete: false, metadata: true, checkAndSet: true } },
      expect.objectContaining({ name: 'staging', backend: 'Vault', location: 'secret/data/app/staging/', connection: 'vault', features: expect.objectContaining({ versions: true }) }),
      expect.objectContaining({ name: 'prod', backend: 'AWS Secrets Manager', location: 'us-east-1 · app/prod/', connection: 'aws', protected: true }),
    ]);
    expect(await call('connections.remove', { name: 'aws', confirmed: true })).toMatchObject({ ok: false, error: { kind: 'Conflict', message: expect.stringContaining('app/prod') } });
  });

  it('secrets.list with an operationId reports listing progress', async () => {
    for (let index = 0; index < 120; index += 1) env[`HANDSFREE_SECRET_BULK_K${index}`] = 'v';
    await call('connections.add', { name: 'env', settings: { kind: 'env' } });
    await call('projects.create', { name: 'app' });
    await call('environments.create', { project: 'app', name: 'dev', binding: { backend: 'connection', connection: 'env', prefix: 'BULK_' } });
    const listed = await call('secrets.list', { project: 'app', environment: 'dev', operationId: 'list-0001' });
    expect(listed.ok && (listed.value as { items: unknown[] }).items).toHaveLength(120);
    expect(progress.map((event) => event.done)).toEqual([50, 100, 120]);
    expect(progress.every((event) => event.operationId === 'list-0001')).toBe(true);
  });
});
