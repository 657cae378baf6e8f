import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { realKeychain } from '../../harness/keyring';
import type { LeakContext, LeakOperation } from '../leak-operation';

/**
 * Snapshots, restore and undo: the values a snapshot escrows are sealed in its file; previews and
 * results name keys and versions only — no canary may reach a file, a log, an answer or an argument.
 */
const POLICY = { 'latchkey-rotation': 'password-32-p90' };

async function seed(context: LeakContext, label: string): Promise<void> {
  await context.core.projects.createProject('snaps').catch(() => undefined);
  for (const environment of ['dev', 'prod']) await context.core.projects.createEnvironment('snaps', environment).catch(() => undefined);
  for (const environment of ['dev', 'prod']) {
    for (const key of ['API_KEY', 'DB_PASSWORD']) {
      await context.core.refs.set(`file://snaps/${environment}/${key}`, context.canary(`${label}-${environment}-${key.toLowerCase()}`), { confirmed: true, metadata: POLICY });
    }
  }
}

const dev = { project: 'snaps', environment: 'dev' };

export const operations: LeakOperation[] = [
  {
    name: 'snapshot, list, compare with now, restore to a snapshot and to a moment, undo an import (IPC)',
    async run(context) {
      await seed(context, 'snapshot');
      const taken = await context.call('snapshots.take', { ...dev, note: 'before the leak test' });
      expect(taken).toMatchObject({ ok: true, value: { keys: 2, escrowed: 2 } });
      const snapshot = (taken.value as { id: string }).id;
      const at = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await context.core.refs.set('file://snaps/dev/API_KEY', context.canary('snapshot-later'));
      const imported = await context.core.environments.applyImport('snaps', 'dev', `DB_PASSWORD=${context.canary('snapshot-imported')}\nSTRAY=${context.canary('snapshot-stray')}\n`, {
        confirmation: { assumeYes: true },
      });
      context.observe('import result', JSON.stringify(imported));
      expect(await context.call('snapshots.list', dev)).toMatchObject({ ok: true });
      expect(await context.call('snapshots.preview', { ...dev, target: { snapshot } })).toMatchObject({ ok: true, value: { changed: ['API_KEY', 'DB_PASSWORD'], created_since: ['STRAY'] } });
      expect(await context.call('snapshots.preview', { ...dev, target: { at } })).toMatchObject({ ok: true });
      const undo = await context.call('snapshots.restore', { ...dev, operationId: 'leaks-undo-import', target: { snapshot: imported.snapshot_id }, keys: ['DB_PASSWORD', 'STRAY'], delete: ['STRAY'], typedNames: [] });
      expect(undo).toMatchObject({ ok: true, value: { status: 'completed', changed: ['DB_PASSWORD'], deleted: ['STRAY'] } });
      const restored = await context.call('snapshots.restore', { ...dev, operationId: 'leaks-restore-1', target: { snapshot }, delete: 'all-new', typedNames: [] });
      expect(restored).toMatchObject({ ok: true, value: { status: 'completed' } });
      expect(await context.call('snapshots.restore', { ...dev, operationId: 'leaks-restore-2', target: { at }, delete: [], typedNames: [] })).toMatchObject({ ok: true });
      expect(await context.call('snapshots.restore', { project: 'snaps', environment: 'prod', operationId: 'leaks-restore-3', target: { snapshot }, delete: [], typedNames: [] })).toMatchObject({
        ok: false,
      });
    },
  },
  {
    name: 'an incident undone (IPC): its preview and result',
    async run(context) {
      await seed(context, 'undo');
      const run = await context.call('incidents.run', { operationId: 'leaks-undo-incident', environments: [{ project: 'snaps', environment: 'prod' }], typedNames: ['prod'] });
      expect(run).toMatchObject({ ok: true });
      const reportId = (run.value as { report: { id: string } }).report.id;
      expect(await context.call('snapshots.previewIncidentUndo', { reportId })).toMatchObject({ ok: true });
      expect(await context.call('snapshots.undoIncident', { reportId, operationId: 'leaks-undo-incident-2', typedNames: ['staging'] })).toMatchObject({ ok: false, error: { kind: 'ConfirmationRequired' } });
      expect(await context.call('snapshots.undoIncident', { reportId, operationId: 'leaks-undo-incident-3', typedNames: ['prod'] })).toMatchObject({ ok: true });
    },
  },
  {
    name: 'a keychain-bound environment: its values escrowed in a snapshot, then restored',
    async run(context) {
      const keychain = realKeychain();
      const service = `snapshot-leaks-${randomBytes(4).toString('hex')}`;
      try {
        await context.core.connections.add('leak-keys', { kind: 'keychain', service });
        await context.core.projects.createProject('kc').catch(() => undefined);
        await context.core.projects.createEnvironment('kc', 'desk', { binding: { backend: 'connection', connection: 'leak-keys', prefix: '' } }, { confirmed: true });
        await keychain.setPassword(service, 'TOKEN', context.canary('keychain-then'));
        const taken = await context.core.snapshots.take('kc', 'desk');
        context.observe('snapshot summary', JSON.stringify(taken));
        await keychain.setPassword(service, 'TOKEN', context.canary('keychain-now'));
        const restored = await context.core.snapshots.restore('kc', 'desk', { snapshot: taken.id }, { confirmation: { assumeYes: true } });
        context.observe('restore result', JSON.stringify(restored));
        expect(restored.changed).toEqual(['TOKEN']);
      } finally {
        for (const account of await keychain.findAccounts(service)) await keychain.deletePassword(service, account);
      }
    },
  },
  {
    name: 'CLI env snapshot, snapshots, restore (dry run and --yes) and incident undo',
    async run(context) {
      await seed(context, 'cli-snapshot');
      const taken = await context.cli(['env', 'snapshot', '--project', 'snaps', '--env', 'dev', '--json']);
      expect(taken).toMatchObject({ code: 0 });
      const id = (JSON.parse(taken.stdout) as { id: string }).id;
      await context.core.refs.set('file://snaps/dev/API_KEY', context.canary('cli-snapshot-later'));
      expect(await context.cli(['env', 'snapshots', '--project', 'snaps', '--env', 'dev', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['env', 'restore', '--project', 'snaps', '--env', 'dev', '--snapshot', id, '--dry-run', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['env', 'restore', '--project', 'snaps', '--env', 'dev', '--snapshot', id, '--yes'])).toMatchObject({ code: 0 });
      const incident = await context.cli(['incident', 'rotate', '--project', 'snaps', '--env', 'dev', '--yes', '--json']);
      const reportId = (JSON.parse(incident.stdout) as { report_id: string }).report_id;
      expect(await context.cli(['incident', 'undo', reportId, '--dry-run'])).toMatchObject({ code: 0 });
      expect(await context.cli(['incident', 'undo', reportId, '--yes', '--json'])).toMatchObject({ code: 0 });
    },
  },
];
