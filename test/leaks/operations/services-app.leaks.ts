import { expect } from 'vitest';
import { startPostgres } from '../../harness/postgres';
import type { LeakOperation } from '../leak-operation';

/**
 * Services and rotators from the app (IPC): an admin URL typed once into the Services form goes to the
 * keychain (latchkey-services) and never comes back — not in an answer, an event, an error, a log line or
 * a file; neither do the role's password, the value a rotation generates, or a wrong admin password.
 */
export const operations: LeakOperation[] = [
  {
    name: 'app: services.add/list/test/update (a wrong admin password)/remove, rotators.set/test (draft and attached)/show/list/remove, rotation.rotate with live steps (IPC)',
    async run(context) {
      const server = await startPostgres();
      try {
        await context.core.projects.createProject('shop').catch(() => undefined);
        await context.core.projects.createEnvironment('shop', 'dev').catch(() => undefined);
        const adminPassword = context.canary('app-pg-admin');
        const rolePassword = context.canary('app-pg-role');
        await server.sqlUnlogged(`CREATE ROLE app_admin LOGIN SUPERUSER PASSWORD '${adminPassword}'`);
        await server.sqlUnlogged(`CREATE ROLE app_role LOGIN PASSWORD '${rolePassword}'`);
        await context.core.secrets.create('shop', 'dev', 'PG_PASSWORD', rolePassword);
        const adminUrl = (password: string) => `postgres://app_admin:${encodeURIComponent(password)}@127.0.0.1:${server.port}/postgres`;
        const where = { project: 'shop', environment: 'dev', key: 'PG_PASSWORD' };
        const draft = { target: { type: 'service', service: 'pg-app' }, user: 'app_role' };

        expect(await context.call('services.add', { name: 'pg-app', kind: 'postgres', adminUrl: adminUrl(adminPassword) })).toMatchObject({ ok: true, value: { service: { credentials: 'stored' } } });
        // A URL core refuses: the error names the problem, not the URL.
        expect(await context.call('services.add', { name: 'pg-bad', kind: 'postgres', adminUrl: `${adminUrl(adminPassword)}?nonsense=1` })).toMatchObject({ ok: false });
        expect(await context.call('services.list', {})).toMatchObject({ ok: true });
        expect(await context.call('services.test', { name: 'pg-app' })).toMatchObject({ ok: true });
        expect(await context.call('rotators.test', { ...where, draft })).toMatchObject({ ok: true });
        expect(await context.call('rotators.set', { ...where, rotator: draft })).toMatchObject({ ok: true });
        expect(await context.call('rotators.show', where)).toMatchObject({ ok: true });
        expect(await context.call('rotators.list', { project: 'shop' })).toMatchObject({ ok: true });
        expect(await context.call('rotators.test', where)).toMatchObject({ ok: true });
        expect(await context.call('rotation.rotate', { ...where, operationId: 'leaks-app-rotation' })).toMatchObject({ ok: true, value: { changedAt: 'pg-app' } });
        const rotated = (await context.core.secrets.reveal('shop', 'dev', 'PG_PASSWORD')).value;
        expect(await server.canLogin('app_role', rotated)).toBe(true);

        // A wrong admin password stored from the form: the next test and rotation are refused, and say so without it.
        const wrong = context.canary('app-pg-wrong-admin');
        expect(await context.call('services.update', { name: 'pg-app', adminUrl: adminUrl(wrong) })).toMatchObject({ ok: true });
        expect(await context.call('services.test', { name: 'pg-app' })).toMatchObject({ ok: true });
        expect(await context.call('rotation.rotate', { ...where, operationId: 'leaks-app-refused' })).toMatchObject({ ok: false, error: { kind: 'Unauthenticated' } });

        const log = await server.log();
        context.observe('Postgres statement log', log);
        expect(log).not.toContain(rotated);
        expect(await context.call('rotators.remove', { ...where })).toMatchObject({ ok: true });
        expect(await context.call('services.remove', { name: 'pg-app', confirmed: true })).toMatchObject({ ok: true });
      } finally {
        await server.destroy();
      }
    },
  },
];
