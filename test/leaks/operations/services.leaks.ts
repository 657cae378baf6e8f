import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { startPostgres } from '../../harness/postgres';
import { startRedis } from '../../harness/redis';
import type { LeakContext, LeakOperation } from '../leak-operation';

/**
 * Services and rotators: admin passwords (read from stdin into the keychain service latchkey-services),
 * the passwords a rotator changes, and the values it generates go to the store, the keychain and the
 * service's own credential store — and nowhere else: not the CLI's arguments or environment, its output,
 * errors, config, audit, journal or incident report files, Latchkey's log, Postgres's statement log
 * (log_statement=all), or Redis's MONITOR stream and SLOWLOG.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function shopProd(context: LeakContext): Promise<void> {
  await context.core.projects.createProject('shop').catch(() => undefined);
  await context.core.projects.createEnvironment('shop', 'prod').catch(() => undefined);
}

/** Every value a rotation generated (read back in this process only, to be searched for like the canaries). */
async function currentValue(context: LeakContext, ref: string): Promise<string> {
  return (await context.core.refs.get(ref)).value;
}

export const operations: LeakOperation[] = [
  {
    name: 'Postgres: services add/update/test/ls/rm with admin URLs on stdin, rotators set/test/finish, rotate (CLI), a wrong admin password, an incident (IPC)',
    async run(context) {
      const server = await startPostgres();
      try {
        await shopProd(context);
        const adminPassword = context.canary('pg-admin');
        const rolePassword = context.canary('pg-role');
        await server.sqlUnlogged(`CREATE ROLE canary_admin LOGIN SUPERUSER PASSWORD '${adminPassword}'`);
        await server.sqlUnlogged(`CREATE ROLE shop_app LOGIN PASSWORD '${rolePassword}'`);
        const adminUrl = `postgres://canary_admin:${encodeURIComponent(adminPassword)}@127.0.0.1:${server.port}/postgres`;
        await context.core.refs.set('file://shop/prod/DATABASE_URL', `postgres://shop_app:${encodeURIComponent(rolePassword)}@127.0.0.1:${server.port}/postgres`, { confirmed: true });

        expect(await context.cli(['services', 'add', 'pg-prod', '--kind', 'postgres', '--url-stdin', '--json'], { input: adminUrl })).toMatchObject({ code: 0 });
        expect(await context.cli(['services', 'add', 'pg-bad', '--kind', 'postgres', '--url-stdin'], { input: `${adminUrl}?nonsense=1` })).toMatchObject({ code: 3 });
        expect(await context.cli(['services', 'test', 'pg-prod', '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['services', 'ls', '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotators', 'set', 'file://shop/prod/DATABASE_URL', '--service', 'pg-prod', '--role', 'shop_app', '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotators', 'test', 'file://shop/prod/DATABASE_URL', '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotate', 'file://shop/prod/DATABASE_URL', '--json'])).toMatchObject({ code: 0 });
        const rotated = await currentValue(context, 'file://shop/prod/DATABASE_URL');
        expect(await context.cli(['rotators', 'finish', '--json'])).toMatchObject({ code: 0 });

        // A wrong admin password (also a canary): refused, and never repeated.
        const wrong = context.canary('pg-wrong-admin');
        expect(await context.cli(['services', 'update', 'pg-prod', '--url-stdin'], { input: `postgres://canary_admin:${wrong}@127.0.0.1:${server.port}/postgres` })).toMatchObject({ code: 0 });
        const refused = await context.cli(['rotate', 'file://shop/prod/DATABASE_URL', '--json']);
        expect(refused.code).toBe(1);
        expect(JSON.parse(refused.stdout)).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ kind: 'Unauthenticated' }) })]);
        await context.core.services.registry.update('pg-prod', { url: adminUrl });

        const run = await context.call('incidents.run', { operationId: 'leaks-services-incident', environments: [{ project: 'shop', environment: 'prod' }], typedNames: ['prod'] });
        expect(run).toMatchObject({ ok: true });
        const afterIncident = await currentValue(context, 'file://shop/prod/DATABASE_URL');
        expect(await context.cli(['incident', 'list', '--json'])).toMatchObject({ code: 0 });

        const log = await server.log();
        context.observe('Postgres statement log', log);
        for (const generated of [rotated, afterIncident]) {
          const password = decodeURIComponent(/:([^:@]+)@/.exec(generated)![1]!);
          expect(log).not.toContain(password);
          expect(await server.canLogin('shop_app', password)).toBe(generated === afterIncident);
        }
        expect(await context.cli(['rotators', 'rm', 'file://shop/prod/DATABASE_URL'])).toMatchObject({ code: 0 });
        expect(await context.cli(['services', 'rm', 'pg-prod', '--yes'])).toMatchObject({ code: 0 });
      } finally {
        await server.destroy();
      }
    },
  },
  {
    name: 'Redis ACL: services add with an admin URL on stdin, rotators set, rotate with a grace period, finish --now (CLI); MONITOR and SLOWLOG watched',
    async run(context) {
      const server = await startRedis({ args: ['--slowlog-log-slower-than', '0'] });
      const adminPassword = context.canary('redis-admin');
      const userPassword = context.canary('redis-user');
      const setup = new Redis({ port: server.port, host: '127.0.0.1' });
      const monitored: string[] = [];
      let monitor: Redis | undefined;
      try {
        await setup.call('ACL', 'SETUSER', 'admin', 'on', `#${sha256(adminPassword)}`, '~*', '&*', '+@all');
        await setup.call('ACL', 'SETUSER', 'shop', 'on', `#${sha256(userPassword)}`, '~*', '+@all');
        monitor = await setup.monitor();
        monitor.on('monitor', (_time: string, args: string[]) => monitored.push(args.join(' ')));
        await shopProd(context);
        await context.core.refs.set('file://shop/prod/REDIS_PASSWORD', userPassword, { confirmed: true });
        expect(await context.cli(['services', 'add', 'redis-prod', '--kind', 'redis', '--url-stdin'], { input: `redis://admin:${adminPassword}@127.0.0.1:${server.port}` })).toMatchObject({ code: 0 });
        expect(await context.cli(['rotators', 'set', 'file://shop/prod/REDIS_PASSWORD', '--service', 'redis-prod', '--user', 'shop', '--grace', '3600'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotators', 'test', 'file://shop/prod/REDIS_PASSWORD', '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotate', 'file://shop/prod/REDIS_PASSWORD', '--json'])).toMatchObject({ code: 0 });
        const rotated = await currentValue(context, 'file://shop/prod/REDIS_PASSWORD');
        expect(await context.cli(['rotators', 'finish', '--now', '--json'])).toMatchObject({ code: 0 });
        monitor.disconnect();
        const slowlog = JSON.stringify(await setup.call('SLOWLOG', 'GET', '10000'));
        context.observe('Redis MONITOR stream', monitored.join('\n'));
        context.observe('Redis SLOWLOG', slowlog);
        expect(monitored.join('\n') + slowlog).not.toContain(rotated);
        expect(await context.cli(['rotators', 'rm', 'file://shop/prod/REDIS_PASSWORD'])).toMatchObject({ code: 0 });
        expect(await context.cli(['services', 'rm', 'redis-prod', '--yes'])).toMatchObject({ code: 0 });
      } finally {
        monitor?.disconnect();
        setup.disconnect();
        await server.stop();
      }
    },
  },
];
