import { beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core';
import { createAuditLog } from '../../../electron/core/audit/audit-log';
import { environmentOverBackend } from '../../../electron/core/environments/environment-view';
import { FileLocks } from '../../../electron/core/fs/locks';
import { runIncident } from '../../../electron/core/rotation/incident';
import { createIncidentReportStore } from '../../../electron/core/rotation/incident-store';
import { sessionStoreRevoker } from '../../../electron/core/rotation/session-store-revoker';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { VersionedMemoryBackend } from '../../doubles/versioned-memory-backend';
import { captureLogger } from '../../harness/log-capture';
import { seedCreateSession, seedValidateSession } from '../../harness/seed-session-server';
import { createTempXdg } from '../../harness/temp-xdg';
import { redisStoreSuite } from '../sessions/support';

// Incident mode's session part over the real sessions core on a real redis-server: sessions written by
// Latchkey (indexed) and by the HandsFree server's own code (no index) are counted and revoked.

describe('session revocation of an incident (real Redis, real SessionStore)', () => {
  const suite = redisStoreSuite();
  beforeEach(async () => {
    await suite.t.raw.flushdb();
  });

  const sessionsOf = async (pairs: [string, string][], viaSeed: boolean) => {
    const tokens: string[] = [];
    for (const [userId, deviceId] of pairs) {
      tokens.push(viaSeed ? (await seedCreateSession(suite.t.raw, { userId, deviceId })).token : (await suite.t.store.create({ userId, deviceId })).token);
    }
    return tokens;
  };

  it('counts and revokes by user, by device and all, including sessions the server wrote without an index', async () => {
    const revoker = sessionStoreRevoker(suite.t.store);
    const alice = [...(await sessionsOf([['alice', 'phone-1'], ['alice', 'watch-1']], false)), ...(await sessionsOf([['alice', 'tablet-1']], true))];
    const bob = await sessionsOf([['bob', 'phone-2'], ['bob', 'watch-1']], true);
    const carol = await sessionsOf([['carol', 'phone-3']], false);

    expect(await revoker.count({ scope: 'user', user_id: 'alice' })).toBe(3);
    expect(await revoker.count({ scope: 'device', device_id: 'watch-1' })).toBe(2);
    expect(await revoker.count({ scope: 'all' })).toBe(6);

    expect(await revoker.revoke({ scope: 'user', user_id: 'alice' })).toEqual({ revoked: 3 });
    for (const token of alice) expect(await seedValidateSession(suite.t.raw, token)).toBeUndefined();
    expect(await seedValidateSession(suite.t.raw, bob[0] as string)).toBeDefined();

    expect(await revoker.revoke({ scope: 'device', device_id: 'watch-1' })).toEqual({ revoked: 1 });
    expect(await seedValidateSession(suite.t.raw, bob[1] as string)).toBeUndefined();

    expect(await revoker.revoke({ scope: 'all' })).toEqual({ revoked: 2 });
    for (const token of [...bob, ...carol]) expect(await seedValidateSession(suite.t.raw, token)).toBeUndefined();
    expect(await revoker.count({ scope: 'all' })).toBe(0);
    expect(JSON.stringify(suite.t.logs)).not.toContain(carol[0] as string);
  });

  it('an incident revokes the sessions first and records the count in its report and the audit log', async () => {
    const xdg = await createTempXdg();
    try {
      const tokens = await sessionsOf([['lost-device-owner', 'watch-9'], ['someone', 'watch-9']], true);
      const kept = await sessionsOf([['someone', 'phone-9']], false);
      const backend = new VersionedMemoryBackend({ scheme: 'vault' });
      await backend.set('app/prod/API_KEY', 'old');
      const audit = createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), user: 'oncall' });
      const { report } = await runIncident(
        { resolveBackend: () => backend, audit, reports: createIncidentReportStore(xdg.paths.stateDir), sessions: sessionStoreRevoker(suite.t.store) },
        { environments: [environmentOverBackend({ project: 'app', name: 'prod', backend, prefix: 'app/prod/' })], sessions: { scope: 'device', device_id: 'watch-9' }, sessionServer: 'sessions-prod' },
        { confirmation: { assumeYes: true } },
      );
      expect(report.status).toBe('completed');
      expect(report.sessions).toMatchObject({ status: 'revoked', revoked: 2, server: 'sessions-prod' });
      for (const token of tokens) expect(await seedValidateSession(suite.t.raw, token)).toBeUndefined();
      expect(await seedValidateSession(suite.t.raw, kept[0] as string)).toBeDefined();
      expect((await audit.query({ actions: ['session.revoke'] })).map((entry) => [entry.outcome, entry.sessions?.device_id, entry.counts?.revoked])).toEqual([
        ['started', 'watch-9', undefined],
        ['ok', 'watch-9', 2],
      ]);
    } finally {
      await xdg.cleanup();
    }
  });

  it('through createCore: an incident revokes the sessions of a device on a saved session server, and a re-run does not need them again', async () => {
    const xdg = await createTempXdg();
    const core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), logger: captureLogger().logger, env: xdg.env });
    try {
      await core.sessions.save({ name: 'sessions-prod', settings: { url: suite.server.url, connectTimeoutMs: 1_000, maxReconnectAttempts: 1 } });
      await core.projects.createProject('app');
      await core.projects.createEnvironment('app', 'dev');
      await core.secrets.create('app', 'dev', 'API_KEY', 'old-value');
      const lost = await sessionsOf([['owner', 'lost-watch'], ['owner', 'lost-watch']], true);
      const kept = await sessionsOf([['owner', 'phone']], true);
      const targets = { environments: [{ project: 'app', environment: 'dev' }], sessions: { server: 'sessions-prod', plan: { scope: 'device' as const, device_id: 'lost-watch' } } };
      expect((await core.incidents.preview(targets)).sessions).toEqual({ plan: targets.sessions.plan, count: 2, server: 'sessions-prod' });
      const { report } = await core.incidents.run(targets, { confirmation: { assumeYes: true } });
      expect(report).toMatchObject({ status: 'completed', sessions: { status: 'revoked', revoked: 2, server: 'sessions-prod' } });
      for (const token of lost) expect(await seedValidateSession(suite.t.raw, token)).toBeUndefined();
      expect(await seedValidateSession(suite.t.raw, kept[0] as string)).toBeDefined();
      await expect(core.incidents.preview({ ...targets, sessions: { ...targets.sessions, server: 'nowhere' } })).rejects.toMatchObject({ kind: 'NotFound' });
    } finally {
      await core.close();
      await xdg.cleanup();
    }
  });
});
