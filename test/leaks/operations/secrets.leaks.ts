import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LeakContext, LeakOperation } from '../leak-operation';

/** Secrets in the local store: every operation that exists, and the errors the store can raise. */
const where = { project: 'leaks', environment: 'dev' };

async function seed(context: LeakContext, label: string) {
  const value = context.canary(label);
  await context.core.projects.createProject('leaks').catch(() => undefined);
  await context.core.projects.createEnvironment('leaks', 'dev').catch(() => undefined);
  await context.core.projects.createEnvironment('leaks', 'prod').catch(() => undefined);
  const answer = await context.call('secrets.create', { ...where, key: 'API_KEY', value, note: 'a note' });
  expect(answer).toMatchObject({ ok: true });
  return value;
}

async function secretFile(context: LeakContext): Promise<string> {
  const environment = (await context.core.projects.find('leaks', 'dev')).environment.id;
  const dir = join(context.stateDir, 'store', environment);
  const name = (await readdir(dir)).find((file) => file.startsWith('API_KEY.'))!;
  return join(dir, name);
}

export const operations: LeakOperation[] = [
  {
    name: 'create, list, history',
    async run(context) {
      await seed(context, 'create');
      expect(await context.call('secrets.list', where)).toMatchObject({ ok: true });
      expect(await context.call('secrets.history', { ...where, key: 'API_KEY' })).toMatchObject({ ok: true });
    },
  },
  {
    name: 'reveal (only its own answer carries the value)',
    async run(context) {
      const value = await seed(context, 'reveal');
      expect(await context.call('secrets.reveal', { ...where, key: 'API_KEY' }, { carriesValue: true })).toMatchObject({ ok: true, value: { value } });
    },
  },
  {
    name: 'copy, then the clipboard clears',
    async run(context) {
      const value = await seed(context, 'copy');
      expect(await context.call('secrets.copy', { ...where, key: 'API_KEY' })).toMatchObject({ ok: true, value: { clearAfterSeconds: 30 } });
      expect(context.clipboard()).toBe(value);
      await context.clearClipboardNow();
      expect(context.clipboard()).toBe('');
    },
  },
  {
    name: 'update the value and the note, read an older version',
    async run(context) {
      const first = await seed(context, 'update-old');
      const second = context.canary('update-new');
      expect(await context.call('secrets.update', { ...where, key: 'API_KEY', value: second, note: 'rotated' })).toMatchObject({ ok: true, value: { version: '2' } });
      expect(await context.call('secrets.update', { ...where, key: 'API_KEY', note: 'note only' })).toMatchObject({ ok: true });
      expect((await context.core.refs.get('file://leaks/dev/API_KEY', { version: '1' })).value).toBe(first);
    },
  },
  {
    name: 'delete',
    async run(context) {
      await seed(context, 'delete');
      expect(await context.call('secrets.remove', { ...where, key: 'API_KEY' })).toMatchObject({ ok: true });
      expect(await context.call('secrets.reveal', { ...where, key: 'API_KEY' })).toMatchObject({ ok: false, error: { kind: 'NotFound' } });
    },
  },
  {
    name: 'refused writes: conflict, protected environment, invalid key, value too large, unknown project',
    async run(context) {
      await seed(context, 'refused-seed');
      const value = context.canary('refused');
      expect(await context.call('secrets.create', { ...where, key: 'API_KEY', value })).toMatchObject({ ok: false, error: { kind: 'Conflict' } });
      expect(await context.call('secrets.create', { project: 'leaks', environment: 'prod', key: 'K', value })).toMatchObject({ ok: false, error: { kind: 'ConfirmationRequired' } });
      expect(await context.call('secrets.create', { ...where, key: '../K', value })).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
      expect(await context.call('secrets.create', { ...where, key: 'BIG', value: `${value}${'x'.repeat(1024 * 1024)}` })).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
      expect(await context.call('secrets.create', { project: 'nowhere', environment: 'dev', key: 'K', value })).toMatchObject({ ok: false, error: { kind: 'NotFound' } });
      await context.failing(() => context.core.refs.set(`file://leaks/dev/${'K'.repeat(300)}`, value));
      await context.failing(() => context.core.refs.set('vault://secret/app', value));
    },
  },
  {
    name: 'errors of the file store: a damaged file, a file copied onto another secret, a replaced key',
    async run(context) {
      const value = await seed(context, 'damaged');
      await context.call('secrets.create', { ...where, key: 'OTHER', value: context.canary('other') });
      const file = await secretFile(context);
      const original = await readFile(file);

      // A damaged file (truncated JSON that still holds part of the ciphertext).
      await writeFile(file, original.subarray(0, original.length - 20));
      expect(await context.call('secrets.reveal', { ...where, key: 'API_KEY' })).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
      // Another secret's file copied over this one: the box is bound to its key, so it does not open.
      await writeFile(file, await readFile(join(file, '..', 'OTHER.secret')));
      expect(await context.call('secrets.reveal', { ...where, key: 'API_KEY' })).toMatchObject({ ok: false, error: { kind: 'PermissionDenied' } });
      // A file that holds the value in plain text instead of a box.
      await writeFile(file, JSON.stringify({ format: 'latchkey-secret', box: { value } }));
      expect(await context.call('secrets.reveal', { ...where, key: 'API_KEY' })).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
      await writeFile(file, `{"value": "${value}"`);
      expect(await context.call('secrets.update', { ...where, key: 'API_KEY', value: context.canary('over-damaged') })).toMatchObject({ ok: false });
      await writeFile(file, original);
      // The configuration damaged with a value pasted into it.
      const config = join(context.configDir, 'config.json');
      const configText = await readFile(config, 'utf8');
      await writeFile(config, `${configText.slice(0, -3)}, "pasted": "${value}" ,}`);
      expect(await context.call('projects.list', {})).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
      await writeFile(config, configText);
      // The key marker damaged with a value in it.
      const marker = join(context.stateDir, 'store', 'keyinfo.json');
      const markerText = await readFile(marker, 'utf8');
      await writeFile(marker, `{"account": "${value}"`);
      context.core.forgetKeys();
      expect(await context.call('secrets.reveal', { ...where, key: 'API_KEY' })).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
      await writeFile(marker, markerText);
    },
  },
];
