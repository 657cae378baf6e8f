import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { AUDIT_FILE } from '../../../electron/core/audit/audit-log';
import { createLogger } from '../../../electron/core/log';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { createRouter, type Router } from '../../../electron/main/ipc/router';
import { createSenderPolicy } from '../../../electron/main/ipc/sender-policy';
import { createOperations, type Emit } from '../../../electron/main/operations';
import type { PathRequest } from '../../../electron/main/path-chooser';
import { APP_URL } from '../../../electron/main/security';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// The rotation, incident, diff, .env and audit calls through the real router into a real core (real
// files, in-memory keychain), with a test-provided file chooser in place of Electron's dialog.

const CANARY = 'canary-rotation-ipc-4c1e';
const own = { url: APP_URL, isMainFrame: true };

describe('rotation, incidents, diff, .env and audit over IPC', () => {
  let xdg: TempXdg;
  let core: Core;
  let router: Router;
  let events: { name: string; payload: unknown }[];
  let logLines: string[];
  let chooser: { next: string | undefined; asked: PathRequest[] };
  const call = async <T>(channel: string, payload: unknown): Promise<T> => {
    const answer = await router.handle(`latchkey:${channel}`, own, payload);
    if (!answer.ok) throw Object.assign(new Error(answer.error.message), { kind: answer.error.kind });
    return answer.value as T;
  };

  beforeEach(async () => {
    xdg = await createTempXdg();
    logLines = [];
    events = [];
    chooser = { next: undefined, asked: [] };
    const logger = createLogger({ sink: (line) => logLines.push(line), level: 'debug' });
    core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), logger, env: xdg.env });
    const emit: Emit = (name, payload) => void events.push({ name, payload });
    router = createRouter({
      handlers: createHandlers({
        core,
        clipboard: createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined } }),
        emit,
        operations: createOperations(emit),
        version: 'test',
        platform: 'linux',
        choosePath: async (request) => {
          chooser.asked.push(request);
          return chooser.next;
        },
      }),
      isTrustedSender: createSenderPolicy(APP_URL),
      logger,
    });
    await core.projects.createProject('shop');
    for (const environment of ['dev', 'prod']) await core.projects.createEnvironment('shop', environment);
    for (const key of ['API_KEY', 'DB_URL']) {
      await core.secrets.create('shop', 'dev', key, `${CANARY}-dev-${key}`);
      await core.secrets.create('shop', 'prod', key, `${CANARY}-prod-${key}`, { confirmed: true });
    }
  });
  afterEach(() => xdg.cleanup());

  const nothingLeaked = async (...answers: unknown[]) => {
    const text = [JSON.stringify(answers), JSON.stringify(events), ...logLines, await readFile(join(xdg.paths.stateDir, AUDIT_FILE), 'utf8')].join('\n');
    expect(text).not.toContain(CANARY);
  };

  it('rotate answers versions only; a protected environment needs confirmed; rollback and restore; the schedule', async () => {
    await expect(call('rotation.rotate', { project: 'shop', environment: 'prod', key: 'API_KEY' })).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    // A typed-in value without a policy is the person's to rotate: the answer says so, and nothing changes.
    const left = await call('rotation.rotate', { project: 'shop', environment: 'prod', key: 'API_KEY', confirmed: true });
    expect(left).toEqual({ rotated: false, rule: { class: 'by-hand', reason: expect.stringContaining('did not make this value') } });
    expect((await core.secrets.reveal('shop', 'prod', 'API_KEY')).value).toBe(`${CANARY}-prod-API_KEY`);
    const rotated = await call<{ version: string; previousVersion: string }>('rotation.rotate', { project: 'shop', environment: 'prod', key: 'API_KEY', confirmed: true, policy: { generator: 'hex', length: 40 } });
    expect(rotated).toEqual({ version: '2', previousVersion: '1', rotated: true, rule: { class: 'generate', reason: expect.stringContaining('You chose hex') } });
    const value = (await core.secrets.reveal('shop', 'prod', 'API_KEY')).value;
    expect(value).toMatch(/^[0-9a-f]{40}$/);
    const rolledBack = await call('rotation.rollback', { project: 'shop', environment: 'prod', key: 'API_KEY', confirmed: true });
    expect(rolledBack).toEqual({ version: '3', previousVersion: '2', restoredFrom: '1' });
    expect(await call('rotation.restore', { project: 'shop', environment: 'prod', key: 'API_KEY', version: '2', confirmed: true })).toMatchObject({ version: '4', restoredFrom: '2' });
    await expect(call('rotation.restore', { project: 'shop', environment: 'prod', key: 'API_KEY', version: '99', confirmed: true })).rejects.toMatchObject({ kind: 'NotFound' });
    // The policy given with the rotation was stored with the value.
    expect(await call('rotation.policy', { project: 'shop', environment: 'prod', key: 'API_KEY' })).toMatchObject({ text: 'hex-40', canStore: true, rule: { class: 'generate' } });
    expect(await call('rotation.policy', { project: 'shop', environment: 'dev', key: 'DB_URL' })).toMatchObject({ policy: { generator: 'manual' }, rule: { class: 'by-hand' } });
    await call('rotation.setPolicy', { project: 'shop', environment: 'dev', key: 'DB_URL', policy: { generator: 'manual', periodDays: 7 } });
    const schedule = await call<{ items: { environment: string; key: string; status: string; rotatable: boolean }[]; counts: unknown[] }>('rotation.schedule', { project: 'shop' });
    expect(schedule.items.find((item) => item.key === 'DB_URL' && item.environment === 'dev')).toMatchObject({ status: 'ok', rotatable: false, class: 'by-hand' });
    expect(schedule.items.find((item) => item.key === 'API_KEY' && item.environment === 'prod')).toMatchObject({ rotatable: true, class: 'generate' });
    expect(schedule.counts).toEqual([
      { environment: 'dev', overdue: 0, dueSoon: 0 },
      { environment: 'prod', overdue: 0, dueSoon: 0 },
    ]);
    await expect(call('rotation.setPolicy', { project: 'shop', environment: 'dev', key: 'DB_URL', policy: { generator: 'hex', length: 3 } })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await nothingLeaked(rotated, rolledBack, schedule);
    expect(JSON.stringify(events)).not.toContain(value);
  });

  it('an incident runs under its operationId: progress and per-item events, a saved report that opens later', async () => {
    // API_KEY gets a generator policy (the person's choice); DB_URL stays typed in: by hand.
    for (const environment of ['dev', 'prod']) await call('rotation.setPolicy', { project: 'shop', environment, key: 'API_KEY', policy: { generator: 'password' }, confirmed: true });
    const preview = await call<{ rotatable: number; typeToConfirm: string[]; items: { key: string; class: string }[] }>('incidents.preview', {
      environments: [{ project: 'shop', environment: 'dev' }, { project: 'shop', environment: 'prod' }],
    });
    expect(preview).toMatchObject({ rotatable: 2, typeToConfirm: ['prod'] });
    expect(preview.items.map((item) => [item.key, item.class])).toEqual([
      ['API_KEY', 'generate'],
      ['DB_URL', 'by-hand'],
      ['API_KEY', 'generate'],
      ['DB_URL', 'by-hand'],
    ]);
    const request = { operationId: 'op-incident-0001', environments: [{ project: 'shop', environment: 'dev' }, { project: 'shop', environment: 'prod' }], typedNames: [] as string[] };
    await expect(call('incidents.run', request)).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    const run = await call<{ report: { id: string; status: string; counts: { rotated: number } } }>('incidents.run', { ...request, operationId: 'op-incident-0002', typedNames: ['prod'], concurrency: 2 });
    expect(run.report).toMatchObject({ status: 'completed', counts: { rotated: 2, by_hand: 2, marked: 0 } });
    expect((await core.secrets.reveal('shop', 'prod', 'DB_URL')).value).toBe(`${CANARY}-prod-DB_URL`);
    const progress = events.filter((event) => event.name === 'operation.progress').map((event) => event.payload as { operationId: string; done: number; total: number });
    expect(progress.every((event) => event.operationId === 'op-incident-0002')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: 2, total: 2, message: 'Finished' });
    const items = events.filter((event) => event.name === 'incident.item').map((event) => event.payload as { key: string; status: string });
    expect(items.map((item) => item.status)).toEqual(['rotated', 'rotated']);
    // The person rotated DB_URL of prod by hand and says so: audited and in the report.
    const marked = await call<{ report: { counts: { marked: number }; items: { ref: string; marked?: { by: string } }[] } }>('incidents.markRotated', { reportId: run.report.id, refs: ['file://shop/prod/DB_URL'] });
    expect(marked.report.counts.marked).toBe(1);
    await expect(call('incidents.markRotated', { reportId: run.report.id, refs: ['file://shop/prod/API_KEY'] })).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect((await core.audit.query({ actions: ['secret.mark-rotated'] })).map((entry) => [entry.ref, entry.report_id])).toEqual([['file://shop/prod/DB_URL', run.report.id]]);
    expect((await call<{ reports: { id: string }[] }>('incidents.list', {})).reports.map((report) => report.id)).toEqual([run.report.id]);
    const opened = await call<{ text: string; report: { id: string } }>('incidents.open', { reportId: run.report.id });
    expect(opened.text).toContain('COMPLETED');
    expect(await call('incidents.sessionServers', {})).toEqual({ servers: [] });
    await expect(call('incidents.preview', { environments: [{ project: 'shop', environment: 'dev' }], sessions: { server: 'redis-prod', plan: { scope: 'all' } } })).rejects.toMatchObject({
      kind: 'NotFound',
      message: expect.stringContaining('redis-prod'),
    });
    await nothingLeaked(preview, run, opened);
  });

  it('diff compares by fingerprint and copy needs the protected name; no value crosses', async () => {
    await core.secrets.create('shop', 'dev', 'SAME', `${CANARY}-same`);
    await core.secrets.create('shop', 'prod', 'SAME', `${CANARY}-same`, { confirmed: true });
    await core.secrets.create('shop', 'dev', 'ONLY_DEV', `${CANARY}-only`);
    const compared = await call<{ rows: { key: string; cells: unknown[] }[] }>('diff.compare', { project: 'shop', environments: ['dev', 'prod'], operationId: 'op-compare-0001' });
    expect(compared.rows).toEqual([
      { key: 'API_KEY', cells: [{ state: 'value', group: 0 }, { state: 'value', group: 1 }] },
      { key: 'DB_URL', cells: [{ state: 'value', group: 0 }, { state: 'value', group: 1 }] },
      { key: 'ONLY_DEV', cells: [{ state: 'value', group: 0 }, { state: 'missing' }] },
      { key: 'SAME', cells: [{ state: 'value', group: 0 }, { state: 'value', group: 0 }] },
    ]);
    await expect(call('diff.copy', { project: 'shop', from: 'dev', to: 'prod', keys: ['ONLY_DEV'], typedNames: [] })).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    const copied = await call<{ results: unknown[] }>('diff.copy', { project: 'shop', from: 'dev', to: 'prod', keys: ['ONLY_DEV', 'API_KEY'], typedNames: ['prod'] });
    expect(copied.results).toEqual([
      { key: 'ONLY_DEV', ok: true, action: 'created', version: '1' },
      { key: 'API_KEY', ok: true, action: 'skipped' },
    ]);
    expect((await core.secrets.reveal('shop', 'prod', 'ONLY_DEV')).value).toBe(`${CANARY}-only`);
    await nothingLeaked(compared, copied);
  });

  it('.env export writes where the person chose (0600); import previews and applies a chosen file by id only', async () => {
    chooser.next = undefined;
    expect(await call('envfiles.exportDotenv', { project: 'shop', environment: 'dev' })).toEqual({ cancelled: true });
    chooser.next = join(xdg.root, 'dev.env');
    const exported = await call<{ path: string; count: number }>('envfiles.exportDotenv', { project: 'shop', environment: 'dev' });
    expect(exported).toEqual({ cancelled: false, path: chooser.next, count: 2 });
    expect((await stat(chooser.next)).mode & 0o777).toBe(0o600);
    expect(parse(await readFile(chooser.next, 'utf8'))).toEqual({ API_KEY: `${CANARY}-dev-API_KEY`, DB_URL: `${CANARY}-dev-DB_URL` });
    expect(chooser.asked[1]).toMatchObject({ purpose: 'export', defaultPath: 'shop.dev.env' });

    const file = join(xdg.root, 'import.env');
    await writeFile(file, `API_KEY=${CANARY}-new\nADDED=${CANARY}-added\nDB_URL=${CANARY}-prod-DB_URL\n`);
    chooser.next = file;
    const chosen = await call<{ fileId: string; path: string }>('envfiles.chooseFile', { purpose: 'dotenv', project: 'shop' });
    expect(chosen.path).toBe(file);
    const preview = await call('envfiles.previewImport', { project: 'shop', environment: 'prod', fileId: chosen.fileId });
    expect(preview).toEqual({ added: ['ADDED'], changed: ['API_KEY'], unchanged: ['DB_URL'], invalid: [], duplicates: [], ignored: [] });
    // An id made up by the renderer, or one chosen for another purpose, reads nothing.
    await expect(call('envfiles.previewImport', { project: 'shop', environment: 'prod', fileId: 'AAAAAAAAAAAAAAAAAAAAAAAA' })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(call('envfiles.importMycelium', { project: 'shop', environment: 'dev', fileId: chosen.fileId, typedNames: [] })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(call('envfiles.previewImport', { project: 'shop', environment: 'prod', path: '/etc/passwd' })).rejects.toMatchObject({ kind: 'InvalidInput' });

    await expect(call('envfiles.applyImport', { project: 'shop', environment: 'prod', fileId: chosen.fileId, typedNames: [] })).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    const applied = await call<{ results: { key: string; action: string }[] }>('envfiles.applyImport', { project: 'shop', environment: 'prod', fileId: chosen.fileId, typedNames: ['prod'] });
    expect(applied.results.map((item) => [item.key, item.action])).toEqual([
      ['ADDED', 'created'],
      ['API_KEY', 'updated'],
    ]);
    expect((await core.secrets.reveal('shop', 'prod', 'ADDED')).value).toBe(`${CANARY}-added`);
    await nothingLeaked(exported, chosen, preview, applied);
  });

  it('Mycelium import starts at the default path, refuses a group-readable file with the reason, and imports it when forced', async () => {
    const file = join(xdg.root, 'shop.json');
    await writeFile(file, JSON.stringify({ project_name: 'shop', postgres_password: `${CANARY}-pg`, redis_password: null, temporal_admin_password: `${CANARY}-t` }), { mode: 0o640 });
    chooser.next = file;
    const chosen = await call<{ fileId: string }>('envfiles.chooseFile', { purpose: 'mycelium', project: 'shop' });
    expect(chooser.asked[0]?.defaultPath).toBe(join(xdg.root, 'state', 'mycelium', 'secrets', 'shop.json'));
    await expect(call('envfiles.importMycelium', { project: 'shop', environment: 'dev', fileId: chosen.fileId, typedNames: [] })).rejects.toMatchObject({
      kind: 'PermissionDenied',
      message: expect.stringContaining('readable by group or others (mode 640)'),
    });
    const imported = await call<{ projectName: string; results: { key: string; action: string }[] }>('envfiles.importMycelium', { project: 'shop', environment: 'dev', fileId: chosen.fileId, force: true, typedNames: [] });
    expect(imported.projectName).toBe('shop');
    expect(imported.results.map((item) => [item.key, item.action])).toEqual([
      ['POSTGRES_PASSWORD', 'created'],
      ['TEMPORAL_ADMIN_PASSWORD', 'created'],
    ]);
    await nothingLeaked(imported);
  });

  it('audit: filtered entries and verification, intact and after a hand edit', async () => {
    const all = await call<{ entries: { action: string; environment?: string }[] }>('audit.query', {});
    expect(all.entries.length).toBeGreaterThan(0);
    const prod = await call<{ entries: { action: string; environment?: string; hash?: string }[] }>('audit.query', { actions: ['secret.write'], environment: 'prod', since: new Date(Date.now() - 60_000).toISOString() });
    expect(prod.entries.length).toBe(2 * 2);
    expect(prod.entries.every((entry) => entry.action === 'secret.write' && entry.environment === 'prod' && entry.hash === undefined)).toBe(true);
    expect(await call('audit.query', { since: new Date(Date.now() + 60_000).toISOString() })).toEqual({ entries: [], total: 0 });
    // Paging back: the newest page, then the one before it, and how many match in all.
    const newest = await call<{ entries: { seq: number }[]; total: number }>('audit.query', { limit: 2 });
    expect(newest.total).toBe(all.entries.length);
    const before = await call<{ entries: { seq: number }[]; total: number }>('audit.query', { limit: 2, beforeSeq: newest.entries[0]!.seq });
    expect(before.entries.map((entry) => entry.seq)).toEqual([newest.entries[0]!.seq - 2, newest.entries[0]!.seq - 1]);
    expect(before.total).toBe(all.entries.length);
    expect(await call('audit.verify', {})).toMatchObject({ intact: true, problems: [] });

    const path = join(xdg.paths.stateDir, AUDIT_FILE);
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[2] = (lines[2] as string).replace(/"outcome":"(started|ok)"/, (found) => (found.includes('started') ? '"outcome":"ok"' : '"outcome":"started"'));
    await writeFile(path, lines.join('\n'));
    expect(await call('audit.verify', {})).toMatchObject({ intact: false, problems: [{ line: 3, kind: 'edited' }] });
  });
});
