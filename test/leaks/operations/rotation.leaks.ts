import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
      for (const environment of ['dev', 'prod']) await context.core.rotation.setPolicy('leaks', environment, 'API_KEY', { generator: 'password' }, { confirmed: true });
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
        const refused = await rotateCommand(context.core.rotation.refDeps, [ref]);
        expect(refused.exitCode).toBe(3);
        context.observe('command output', JSON.stringify(refused));
        // Chosen now: rotated, and its origin recorded (value-free) in the state folder, which is searched too.
        const rotated = await rotateCommand(context.core.rotation.refDeps, [ref], { policy: 'password-32' });
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
      expect(await context.cli(['rotate', 'file://leaks/dev/API_KEY', '--json'])).toMatchObject({ code: 3 });
      expect(await context.cli(['rotate', 'file://leaks/dev/API_KEY', '--policy', 'password-32', '--json'])).toMatchObject({ code: 0 });
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
      const incident = await context.cli(['incident', 'rotate', '--project', 'leaks', '--env', 'dev', '--env', 'prod', '--yes', '--json']);
      expect(incident).toMatchObject({ code: 0 });
      const reportId = (JSON.parse(incident.stdout) as { report_id: string }).report_id;
      expect(await context.cli(['incident', 'mark-rotated', reportId, 'file://leaks/prod/API_KEY', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['incident', 'show', reportId])).toMatchObject({ code: 0 });
      expect(await context.cli(['rotate', '--due', '--project', 'leaks', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['audit', 'tail', '-n', '100', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['audit', 'verify'])).toMatchObject({ code: 0 });
    },
  },
  {
    name: 'the rotation rule on provider keys and URLs with canary passwords: preview, one-click rotate left by hand, policy rule, incident, mark-rotated (IPC)',
    async run(context) {
      await seed(context, 'rule');
      const values = {
        STRIPE_KEY: `sk_live_${context.canary('rule-stripe')}`,
        GITHUB_TOKEN: `ghp_${context.canary('rule-github')}`,
        DATABASE_URL: `postgres://shop:${context.canary('rule-pg-password')}@db.internal:5432/shop`,
        SENTRY_DSN: `https://${context.canary('rule-sentry-key')}@o1.ingest.sentry.io/42`,
      };
      for (const [key, value] of Object.entries(values)) await context.core.secrets.create('leaks', 'dev', key, value);
      for (const key of Object.keys(values)) {
        expect(await context.call('rotation.rotate', { ...dev, key })).toMatchObject({ ok: true, value: { rotated: false, rule: { class: 'by-hand' } } });
        expect(await context.call('rotation.policy', { ...dev, key })).toMatchObject({ ok: true, value: { rule: { class: 'by-hand' } } });
      }
      expect(await context.call('rotation.schedule', { project: 'leaks' })).toMatchObject({ ok: true });
      expect(await context.call('incidents.preview', { environments: [dev] })).toMatchObject({ ok: true });
      const run = await context.call('incidents.run', { operationId: 'leaks-rule-1', environments: [dev], typedNames: [] });
      expect(run).toMatchObject({ ok: true, value: { report: { status: 'completed' } } });
      const id = (run.value as { report: { id: string } }).report.id;
      expect(await context.call('incidents.markRotated', { reportId: id, refs: ['file://leaks/dev/DATABASE_URL', 'file://leaks/dev/STRIPE_KEY'] })).toMatchObject({ ok: true });
      expect(await context.call('incidents.open', { reportId: id })).toMatchObject({ ok: true });
      expect(await context.cli(['incident', 'rotate', '--project', 'leaks', '--env', 'dev', '--yes'])).toMatchObject({ code: 0 });
      expect(await context.cli(['rotate', 'file://leaks/dev/DATABASE_URL', 'file://leaks/dev/SENTRY_DSN'])).toMatchObject({ code: 3 });
    },
  },
  {
    name: 'a damaged secret file: listed as damaged (IPC and CLI), its incident item and export refusal',
    async run(context) {
      await seed(context, 'damaged', ['API_KEY', 'BROKEN']);
      const { id } = (await context.core.projects.find('leaks', 'dev')).environment;
      await appendFile(join(context.stateDir, 'store', id, 'BROKEN.secret'), 'x');
      expect(await context.call('secrets.list', dev)).toMatchObject({ ok: true });
      expect(await context.cli(['secrets', 'ls', 'file://leaks/', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['env', 'diff', '--project', 'leaks', '--env', 'dev', '--env', 'prod', '--json'])).toMatchObject({ code: 1 });
      expect(await context.cli(['env', 'export', '--project', 'leaks', '--env', 'dev'])).toMatchObject({ code: 3 });
      const run = await context.call('incidents.run', { operationId: 'leaks-damaged-1', environments: [dev], typedNames: [] });
      expect(run).toMatchObject({ ok: true, value: { report: { status: 'partial' } } });
    },
  },
];
