import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// An environment kept in the OS keychain (a real gnome-keyring through keytar), which keeps no versions:
// its snapshots escrow the values, sealed with the local store's key, and restore writes them back.

const CANARY = `snap-keychain-${randomBytes(4).toString('hex')}`;

describeWithKeyring('snapshots of an environment in the OS keychain (real gnome-keyring)', () => {
  let xdg: TempXdg;
  let core: Core;
  const logs = captureLogger();
  const keychain = realKeychain();
  // Not under "latchkey…": that namespace is Latchkey's own and refused as a place for secrets.
  const service = `snapshot-test-${randomBytes(4).toString('hex')}`;
  let clock = new Date('2026-04-01T08:00:00Z');
  const tick = () => (clock = new Date(clock.getTime() + 60_000));

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain, logger: logs.logger, env: {}, now: () => clock });
    await core.connections.add('keys', { kind: 'keychain', service });
    await core.projects.createProject('app');
    // All of the connection's service (no prefix) is asked for explicitly, as the app and `envs bind --yes` do.
    await core.projects.createEnvironment('app', 'desk', { binding: { backend: 'connection', connection: 'keys', prefix: '' } }, { confirmed: true });
    for (const key of ['TOKEN', 'PASSWORD', 'SIGNING']) await core.secrets.create('app', 'desk', key, `${CANARY}-${key}-1`);
  });
  afterAll(async () => {
    for (const account of await keychain.findAccounts(service)) await keychain.deletePassword(service, account);
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await core.close();
    await xdg.cleanup();
  });

  const value = async (key: string) => keychain.getPassword(service, key);
  const files = async (): Promise<string> => {
    const texts: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(join(dir, entry.name));
        else texts.push(await readFile(join(dir, entry.name), 'utf8'));
      }
    };
    await walk(xdg.root);
    return [...texts, ...logs.lines].join('\n');
  };

  it('escrows every value (sealed), and a restore writes them back and recreates a deleted entry', async () => {
    tick();
    const snapshot = await core.snapshots.take('app', 'desk');
    expect(snapshot).toMatchObject({ backend: 'keychain', keys: 3, escrowed: 3 });
    expect(await files()).not.toContain(CANARY);

    tick();
    await keychain.setPassword(service, 'TOKEN', `${CANARY}-TOKEN-2`);
    await keychain.deletePassword(service, 'PASSWORD');
    await keychain.setPassword(service, 'EXTRA', `${CANARY}-EXTRA`);

    const preview = await core.snapshots.preview('app', 'desk', { snapshot: snapshot.id });
    expect(preview).toMatchObject({ changed: ['TOKEN'], recreated: ['PASSWORD'], unchanged: ['SIGNING'], created_since: ['EXTRA'] });
    const restored = await core.snapshots.restore('app', 'desk', { snapshot: snapshot.id }, { delete: ['EXTRA'], confirmation: { assumeYes: true } });
    expect(restored).toMatchObject({ status: 'completed', changed: ['TOKEN'], recreated: ['PASSWORD'], deleted: ['EXTRA'] });
    expect(await value('TOKEN')).toBe(`${CANARY}-TOKEN-1`);
    expect(await value('PASSWORD')).toBe(`${CANARY}-PASSWORD-1`);
    expect(await value('EXTRA')).toBeNull();
    expect(await files()).not.toContain(CANARY);
  });

  it('a point in time comes from the newest snapshot before it, and says it is best effort', async () => {
    tick();
    await core.snapshots.take('app', 'desk');
    tick();
    const at = new Date(clock);
    tick();
    await keychain.setPassword(service, 'SIGNING', `${CANARY}-SIGNING-2`);
    const preview = await core.snapshots.preview('app', 'desk', { at: at.toISOString() });
    expect(preview).toMatchObject({ changed: ['SIGNING'], target: { kind: 'time', exact: false } });
    expect(preview.notes[0]).toMatch(/^Best effort: 3 key\(s\)/);
    const restored = await core.snapshots.restore('app', 'desk', { at: at.toISOString() }, { confirmation: { assumeYes: true } });
    expect(restored).toMatchObject({ changed: ['SIGNING'] });
    expect(await value('SIGNING')).toBe(`${CANARY}-SIGNING-1`);
  });

  it('with no snapshot before the moment, nothing can be known: each key says why', async () => {
    const preview = await core.snapshots.preview('app', 'desk', { at: '2026-01-01T00:00:00Z' });
    expect(preview.changed).toEqual([]);
    expect(preview.unavailable.map((item) => [item.key, item.reason])).toEqual(
      ['PASSWORD', 'SIGNING', 'TOKEN'].map((key) => [key, 'keychain keeps no history, and no snapshot was taken before 2026-01-01T00:00:00.000Z']),
    );
  });

  it('an incident on it is undone from the snapshot taken before it', async () => {
    // Values Latchkey generated (a generator chosen for them): an incident rotates them again.
    for (const key of ['TOKEN', 'PASSWORD']) await core.rotation.rotate('app', 'desk', key, { policy: { generator: 'password', length: 32 } });
    const before = new Map([['TOKEN', await value('TOKEN')], ['PASSWORD', await value('PASSWORD')]]);
    tick();
    const { report } = await core.incidents.run({ environments: [{ project: 'app', environment: 'desk' }] }, { confirmation: { assumeYes: true } });
    const rotated = report.items.filter((item) => item.status === 'rotated').map((item) => item.key);
    expect(rotated).toEqual(expect.arrayContaining(['PASSWORD', 'TOKEN']));
    for (const key of before.keys()) expect(await value(key)).not.toBe(before.get(key));
    tick();
    const undone = await core.snapshots.undoIncident(report.id, { confirmation: { assumeYes: true } });
    expect(undone.environments[0]).toMatchObject({ status: 'completed', changed: rotated.sort() });
    for (const key of before.keys()) expect(await value(key)).toBe(before.get(key));
    expect(await files()).not.toContain(CANARY);
  });
});
