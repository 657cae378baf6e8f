import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPostgres, startPostgres, type PostgresServer } from '../../harness/postgres';

// The Postgres harness itself: a real server as the postgres user, SCRAM logins, a readable statement log.
describeWithPostgres('test/harness/postgres.ts (a real PostgreSQL 15)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server.destroy();
  });

  it('accepts the admin password, refuses a wrong one, logs statements, and survives stop/start on the same port', async () => {
    expect(await server.canLogin(server.admin.user, server.admin.password)).toBe(true);
    expect(await server.canLogin(server.admin.user, 'wrong')).toBe(false);
    await server.sql("SELECT 'harness-marker-1'");
    expect(await server.log()).toContain('harness-marker-1');
    await server.stop();
    await expect(server.canLogin(server.admin.user, server.admin.password)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await server.start();
    expect(await server.canLogin(server.admin.user, server.admin.password)).toBe(true);
  });
});
