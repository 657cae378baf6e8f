import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { rollbackCommand, rotateCommand } from '../../../electron/core/rotation/commands';
import { realKeychain } from '../../harness/keyring';
import type { LeakContext, LeakOperation } from '../leak-operation';

/**
 * Rotation, incidents, comparison, .env and Mycelium files, the audit trail: the old values (canaries)
 * move into version history, the escrow, exported files the person asked for — and nowhere else.
 */
async function seed(context: LeakContext, label: string, keys: string[] = ['API_KEY']): Promise<string[]> {
  await context.core.projects.createProject('leaks').catch(() => undefined);
  for (const environment of ['dev', 'prod']) await context.core.projects.createEnvironment('leaks', environment).catch(() => undefined);
  const values: string[] = [];
  for (const environment of ['dev', 'prod']) {
    for (const key of keys) {
      const value = context.canary(`${label}-${environment}-${key.toLowerCase()}`);
      await context.core.secrets.create('leaks', environment, key, value, { confirmed: true });
      values.push(value);
    }
  }
  return values;
}

/** A file the person keeps outside Latchkey's folders (a .env to import, a Mycelium file). */
async function outsideFile(name: string, text: string, work: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-leaks-'));
  try {
    await writeFile(join(dir, name), text, { mode: 0o600 });
    await work(join(dir, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const dev = { project: 'leaks', environment: 'dev' };

export const operations: LeakOperation[] = [
  {
    name: 'rotate, roll back, restore a version, policy and schedule (IPC)',
    async run(context) {
      await seed(context, 'rotate');
      expect(await context.call('rotation.rotate', { ...dev, key: 'API_KEY', policy: { generator: 'hex', length: 40 } })).toMatchObject({ ok: true, value: { version: '2' } });
      expect(await context.call('rotation.rollback', { ...dev, key: 'API_KEY' })).toMatchObject({ ok: true, value: { restoredFrom: '1' } });
      expect(await context.call('rotation.restore', { ...dev, key: 'API_KEY', version: '2' })).toMatchObject({ ok: true });
      expect(await context.call('rotation.rotate', { project: 'leaks', environment: 'prod', key: 'API_KEY' })).toMatchObject({ ok: false, error: { kind: 'ConfirmationRequired' } });
      expect(await context.call('rotation.setPolicy', { ...dev, key: 'API_KEY', policy: { generator: 'password', length: 40, periodDays: 30 } })).toMatchObject({ ok: true });
      expect(await context.call('rotation.policy', { ...dev, key: 'API_KEY' })).toMatchObject({ ok: true });
      expect(await context.call('rotation.schedule', { project: 'leaks' })).toMatchObject({ ok: true });
      expect(await context.call('secrets.history', { ...dev, key: 'API_KEY' })).toMatchObject({ ok: true });
    },
  },
  {
    name: 'incident preview, run and its saved report (IPC)',
    async run(context) {
      await seed(context, 'incident', ['API_KEY', 'DB_PASSWORD']);
      const environments = [dev, { project: 'leaks', environment: 'prod' }];
      expect(await context.call('incidents.preview', { environments })).toMatchObject({ ok: true });
      const run = await context.call('incidents.run', { operationId: 'leaks-incident-1', environments, typedNames: ['prod'] });
      expect(run).toMatchObject({ ok: true, value: { report: { status: 'completed' } } });
      const id = (run.value as { report: { id: string } }).report.id;
      expect(await context.call('incidents.list', {})).toMatchObject({ ok: true });
      expect(await context.call('incidents.open', { reportId: id })).toMatchObject({ ok: true });
    },
  },
  {
    name: 'compare environments and copy between them (IPC)',
    async run(context) {
      await seed(context, 'compare');
      const only = context.canary('compare-only-dev');
      await context.core.secrets.create('leaks', 'dev', 'ONLY_DEV', only);
      expect(await context.call('diff.compare', { project: 'leaks', environments: ['dev', 'prod'] })).toMatchObject({ ok: true });
      expect(await context.call('diff.copy', { project: 'leaks', from: 'dev', to: 'prod', keys: ['ONLY_DEV', 'API_KEY'], overwrite: true, typedNames: ['prod'] })).toMatchObject({ ok: true });
      expect(await context.call('audit.query', {})).toMatchObject({ ok: true });
      expect(await context.call('audit.verify', {})).toMatchObject({ ok: true, value: { intact: true } });
    },
  },
  {
    name: 'a keychain secret rotated with its previous value in the escrow, then rolled back',
    async run(context) {
      const keychain = realKeychain();
      const service = `test-leaks-${randomBytes(4).toString('hex')}`;
      const value = context.canary('escrow');
      await keychain.setPassword(service, 'TOKEN', value);
      try {
        const ref = `keychain://${service}/TOKEN`;
        const rotated = await rotateCommand(context.core.rotation.refDeps, [ref]);
        expect(rotated.exitCode).toBe(0);
        context.observe('command output', JSON.stringify(rotated));
        const rolledBack = await rollbackCommand(context.core.rotation.refDeps, ref);
        context.observe('command output', JSON.stringify(rolledBack));
        expect(await keychain.getPassword(service, 'TOKEN')).toBe(value);
      } finally {
        await keychain.deletePassword(service, 'TOKEN');
      }
    },
  },
  {
    name: 'CLI rotate, rollback, incident, env diff, env export to stdout, env import, Mycelium import, audit',
    async run(context) {
      const values = await seed(context, 'cli-rotation');
      expect(await context.cli(['rotate', 'file://leaks/dev/API_KEY', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['rollback', 'file://leaks/dev/API_KEY', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['env', 'diff', '--project', 'leaks', '--env', 'dev', '--env', 'prod', '--json'])).toMatchObject({ code: 0 });
      const exported = await context.cli(['env', 'export', '--project', 'leaks', '--env', 'dev'], { stdoutCarriesValue: true });
      expect(exported.stdout).toContain(values[0]);
      await outsideFile('import.env', `IMPORTED=${context.canary('cli-dotenv')}\n`, async (path) => {
        expect(await context.cli(['env', 'import', '--project', 'leaks', '--env', 'dev', path, '--yes', '--json'])).toMatchObject({ code: 0 });
      });
      const mycelium = { project_name: 'leaks', postgres_password: context.canary('cli-pg'), redis_password: context.canary('cli-redis'), temporal_admin_password: null };
      await outsideFile('leaks.json', JSON.stringify(mycelium), async (path) => {
        expect(await context.cli(['import', 'mycelium', path, '--project', 'leaks', '--env', 'dev', '--json'])).toMatchObject({ code: 0 });
      });
      expect(await context.cli(['incident', 'rotate', '--project', 'leaks', '--env', 'dev', '--env', 'prod', '--yes', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['audit', 'tail', '-n', '100', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['audit', 'verify'])).toMatchObject({ code: 0 });
    },
  },
];
