import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { it } from 'vitest';
import { createCore, type Core } from '../electron/core';
import { createLogger } from '../electron/core/log';
import { createMemoryKeychain } from '../test/doubles/memory-keychain';
import { startPostgres, type PostgresServer } from '../test/harness/postgres';
import { startRedis, type RedisServer } from '../test/harness/redis';
import { createTempXdg, type TempXdg } from '../test/harness/temp-xdg';

/**
 * An incident over 100 Postgres roles (rotated at a real PostgreSQL 15), 100 Redis ACL users (at a real
 * redis-server) and 300 stored-only secrets (a generator policy, the local store), through the real core:
 * the lifecycle with its journal, the drivers, the store, the audit log and the incident report. Run at
 * concurrency 1 (the baseline) and 16 in the same process; each kind is also run on its own to give the
 * time per rotation of each kind and its own speed-up. Prints ratios, asserts nothing about time.
 */
const PG_ROLES = 100;
const REDIS_USERS = 100;
const STORED_ONLY = 300;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const pad = (index: number) => String(index).padStart(3, '0');

interface World {
  xdg: TempXdg;
  core: Core;
}

async function world(postgres: PostgresServer, redis: RedisServer): Promise<World> {
  const xdg = await createTempXdg();
  const core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), logger: createLogger({ sink: () => undefined }), env: xdg.env });
  await core.projects.createProject('bench');
  await core.projects.createEnvironment('bench', 'prod');
  await core.services.registry.add('pg-bench', 'postgres', { url: postgres.adminUrl });
  await core.services.registry.add('redis-bench', 'redis', { url: `redis://admin:bench-admin@127.0.0.1:${redis.port}` });
  for (let index = 0; index < PG_ROLES; index += 1) {
    await core.refs.set(`file://bench/prod/PG_${pad(index)}`, `pg-initial-${index}`, { confirmed: true });
    await core.services.rotators.set(`file://bench/prod/PG_${pad(index)}`, { service: 'pg-bench', user: `bench_pg_${pad(index)}` });
  }
  for (let index = 0; index < REDIS_USERS; index += 1) {
    await core.refs.set(`file://bench/prod/REDIS_${pad(index)}`, `redis-initial-${index}`, { confirmed: true });
    await core.services.rotators.set(`file://bench/prod/REDIS_${pad(index)}`, { service: 'redis-bench', user: `bench_u_${pad(index)}` });
  }
  for (let index = 0; index < STORED_ONLY; index += 1) {
    await core.refs.set(`file://bench/prod/GEN_${pad(index)}`, `generated-initial-${index}`, { confirmed: true });
    await core.rotation.setPolicy('bench', 'prod', `GEN_${pad(index)}`, { generator: 'hex', length: 32 }, { confirmed: true });
  }
  return { xdg, core };
}

async function resetServers(postgres: PostgresServer, redis: RedisServer): Promise<void> {
  const statements = Array.from({ length: PG_ROLES }, (_, index) => `CREATE ROLE bench_pg_${pad(index)} LOGIN PASSWORD 'pg-initial-${index}';`);
  await postgres.sqlUnlogged(statements.join('\n'));
  const client = new Redis({ port: redis.port, host: '127.0.0.1' });
  await client.call('ACL', 'SETUSER', 'admin', 'on', `#${sha256('bench-admin')}`, '~*', '&*', '+@all');
  for (let index = 0; index < REDIS_USERS; index += 1) await client.call('ACL', 'SETUSER', `bench_u_${pad(index)}`, 'on', `#${sha256(`redis-initial-${index}`)}`, '~*', '+@all');
  client.disconnect();
}

type Kind = 'PG_' | 'REDIS_' | 'GEN_';
const KINDS: { prefix: Kind; label: string; count: number }[] = [
  { prefix: 'PG_', label: 'Postgres roles (at the server)', count: PG_ROLES },
  { prefix: 'REDIS_', label: 'Redis ACL users (at the server)', count: REDIS_USERS },
  { prefix: 'GEN_', label: 'stored-only secrets', count: STORED_ONLY },
];

/**
 * One incident; `only` limits it to one kind (the others are left out when confirmed). Every rotation
 * keeps store and server in step, so the incidents run one after the other on the same world. At
 * concurrency 1 items finish one after the other, so the time between two finishing is the later one's
 * time: summed per kind, that is each kind's time per rotation.
 */
async function incident(core: Core, concurrency: number, only?: Kind): Promise<{ ms: number; rotated: number; perKind: Map<Kind, number> }> {
  const preview = await core.incidents.preview({ environments: [{ project: 'bench', environment: 'prod' }] });
  const exclude = only === undefined ? [] : preview.items.filter((item) => !item.key.startsWith(only)).map((item) => item.ref);
  const perKind = new Map<Kind, number>();
  let last = 0;
  const started = performance.now();
  const { report } = await core.incidents.run(
    { environments: [{ project: 'bench', environment: 'prod' }] },
    {
      confirmation: { assumeYes: true },
      concurrency,
      exclude,
      onProgress: (progress) => {
        const now = performance.now();
        if (progress.item === undefined) {
          if (progress.phase === 'secrets') last = now;
          return;
        }
        const kind = KINDS.find((candidate) => progress.item!.key.startsWith(candidate.prefix))!.prefix;
        perKind.set(kind, (perKind.get(kind) ?? 0) + now - last);
        last = now;
      },
    },
  );
  const ms = performance.now() - started;
  const expected = only === undefined ? PG_ROLES + REDIS_USERS + STORED_ONLY : KINDS.find((kind) => kind.prefix === only)!.count;
  if (report.counts.rotated !== expected) throw new Error(`expected ${expected} rotations, got ${report.counts.rotated}: ${JSON.stringify(report.items.find((item) => item.status === 'failed')?.error)}`);
  const atServices = report.items.filter((item) => item.changed_at !== undefined && item.old_retired === true && item.old_refused === true).length;
  const servicesExpected = only === undefined ? PG_ROLES + REDIS_USERS : only === 'GEN_' ? 0 : expected;
  if (atServices !== servicesExpected) throw new Error(`expected ${servicesExpected} credentials changed at services with the old one refused, got ${atServices}`);
  return { ms, rotated: report.counts.rotated, perKind };
}

it(`incident over ${PG_ROLES} Postgres roles, ${REDIS_USERS} Redis ACL users and ${STORED_ONLY} stored-only secrets: concurrency 16 against 1`, async () => {
  const postgres = await startPostgres({ settings: { log_statement: 'none' } });
  const redis = await startRedis();
  await resetServers(postgres, redis);
  const { xdg, core } = await world(postgres, redis);
  try {
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const lines = [
      `incident rotation at services: ${PG_ROLES} Postgres roles (PostgreSQL 15, SCRAM verifiers), ${REDIS_USERS} Redis ACL users (redis-server 7), ${STORED_ONLY} stored-only secrets (local store);`,
      '  real core: lifecycle with its fsynced journal, drivers, store, audit log, incident report; each rotation at a service is set, tested, stored, retired and the old credential tried once more',
    ];
    const baseline = await incident(core, 1);
    const parallel = await incident(core, 16);
    lines.push(
      `  all ${baseline.rotated} together:`,
      `    concurrency  1: ${seconds(baseline.ms)}  [baseline]`,
      `    concurrency 16: ${seconds(parallel.ms)}`,
      `    speed-up: ${(baseline.ms / parallel.ms).toFixed(2)}x`,
    );
    // Each kind alone at concurrency 16, against its share of the baseline (concurrency 1).
    for (const kind of KINDS) {
      const one = baseline.perKind.get(kind.prefix) ?? 0;
      const sixteen = await incident(core, 16, kind.prefix);
      lines.push(
        `  ${kind.count} ${kind.label}: ${(one / kind.count).toFixed(1)} ms per rotation at concurrency 1 (${seconds(one)} of the baseline), ` +
          `${(sixteen.ms / kind.count).toFixed(1)} ms at 16 (${seconds(sixteen.ms)} on their own); speed-up ${(one / sixteen.ms).toFixed(2)}x`,
      );
    }
    console.log(lines.join('\n'));
  } finally {
    await core.close();
    await xdg.cleanup();
    await redis.stop();
    await postgres.destroy();
  }
});
