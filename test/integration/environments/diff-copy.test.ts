import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditLog } from '../../../electron/core/audit/audit-log';
import { copySecrets } from '../../../electron/core/environments/copy-secrets';
import { compareEnvironments, diffEnvironments } from '../../../electron/core/environments/diff';
import { environmentOverBackend, type EnvironmentView } from '../../../electron/core/environments/environment-view';
import { createFingerprinter } from '../../../electron/core/environments/fingerprint';
import { FileLocks } from '../../../electron/core/fs/locks';
import { ROTATION_METADATA_KEY } from '../../../electron/core/rotation/policy';
import { FaultyBackend } from '../../doubles/faulty-backend';
import { VersionedMemoryBackend } from '../../doubles/versioned-memory-backend';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

const CANARY = 'diff-canary-';

describe('environments side by side (versioned backend doubles, real audit log)', () => {
  let xdg: TempXdg;
  let audit: AuditLog;
  let store: VersionedMemoryBackend;
  let vault: VersionedMemoryBackend;
  let backend: FaultyBackend;
  let dev: EnvironmentView;
  let staging: EnvironmentView;
  let prod: EnvironmentView;

  beforeEach(async () => {
    xdg = await createTempXdg();
    audit = createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), user: 'dev' });
    store = new VersionedMemoryBackend({ scheme: 'file' });
    vault = new VersionedMemoryBackend({ scheme: 'vault' });
    backend = new FaultyBackend(store);
    dev = environmentOverBackend({ project: 'shop', name: 'dev', backend, prefix: 'shop/dev/' });
    staging = environmentOverBackend({ project: 'shop', name: 'staging', backend, prefix: 'shop/staging/' });
    // prod lives in another backend: the diff works across backends.
    prod = environmentOverBackend({ project: 'shop', name: 'prod', protected: true, backend: vault, prefix: 'kv/shop/' });
    for (const [key, value] of [['SAME', 'x'], ['DIFFERENT', 'dev-value'], ['ONLY_DEV', 'd']]) await store.set(`shop/dev/${key}`, `${CANARY}${value}`);
    for (const [key, value] of [['SAME', 'x'], ['DIFFERENT', 'prod-value'], ['ONLY_PROD', 'p']]) await vault.set(`kv/shop/${key}`, `${CANARY}${value}`);
    await vault.set('kv/shop/nested/DEEPER', 'not part of prod');
  });
  afterEach(() => xdg.cleanup());

  it('diff says which keys are missing where and which differ or match, with no value in the answer', async () => {
    const fingerprinter = createFingerprinter();
    const diff = await diffEnvironments({ fingerprinter }, dev, prod);
    expect(diff).toEqual({ missing_in_a: ['ONLY_PROD'], missing_in_b: ['ONLY_DEV'], different: ['DIFFERENT'], same: ['SAME'], unreadable: [] });
    const comparison = await compareEnvironments({ fingerprinter }, [dev, staging, prod]);
    expect(comparison.rows.find((row) => row.key === 'DIFFERENT')?.cells).toEqual([{ state: 'value', group: 0 }, { state: 'missing' }, { state: 'value', group: 1 }]);
    expect(comparison.rows.find((row) => row.key === 'SAME')?.cells).toEqual([{ state: 'value', group: 0 }, { state: 'missing' }, { state: 'value', group: 0 }]);
    expect(JSON.stringify([diff, comparison])).not.toContain(CANARY);
  });

  it('keyed fingerprints: equal within one key, unrelated across keys, never a plain hash', () => {
    const a = createFingerprinter();
    const b = createFingerprinter();
    expect(a.fingerprint('hunter2')).toBe(a.fingerprint('hunter2'));
    expect(a.fingerprint('hunter2')).not.toBe(b.fingerprint('hunter2'));
    expect(a.fingerprint('hunter2')).not.toBe(a.fingerprint('hunter3'));
  });

  it('a secret that cannot be read is listed as unreadable, with why, instead of guessing; the others are compared', async () => {
    backend.fail({ operation: 'get', mode: 'before', path: 'shop/dev/SAME' });
    const diff = await diffEnvironments({ fingerprinter: createFingerprinter() }, dev, prod);
    expect(diff).toEqual({
      missing_in_a: ['ONLY_PROD'],
      missing_in_b: ['ONLY_DEV'],
      different: ['DIFFERENT'],
      same: [],
      unreadable: [{ key: 'SAME', environment: 'dev', message: expect.stringContaining('Injected get failure') }],
    });
  });

  it('copies selected secrets, keeping different targets unless told to overwrite, and audits each', async () => {
    await expect(copySecrets({ audit }, { from: dev, to: staging, keys: ['SAME'] })).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    await store.set('shop/dev/SAME', `${CANARY}x`, { metadata: { [ROTATION_METADATA_KEY]: 'hex-32' } });
    const first = await copySecrets({ audit }, { from: dev, to: staging, keys: ['SAME', 'DIFFERENT', 'MISSING'], confirmation: { assumeYes: true } });
    expect(first).toEqual([
      { key: 'SAME', ok: true, action: 'created', version: '1' },
      { key: 'DIFFERENT', ok: true, action: 'created', version: '1' },
      { key: 'MISSING', ok: false, action: 'failed', error: { kind: 'NotFound', message: 'MISSING does not exist in shop/dev.' } },
    ]);
    expect((await store.get('shop/staging/DIFFERENT')).value).toBe(`${CANARY}dev-value`);
    expect((await store.describe('shop/staging/SAME')).metadata?.[ROTATION_METADATA_KEY]).toBe('hex-32');

    // Into protected prod: the name must be typed; the different value stays unless overwrite.
    await expect(copySecrets({ audit }, { from: dev, to: prod, keys: ['DIFFERENT'], confirmation: { typedNames: ['staging'] } })).rejects.toMatchObject({
      kind: 'ConfirmationRequired',
    });
    const kept = await copySecrets({ audit }, { from: dev, to: prod, keys: ['DIFFERENT', 'SAME'], confirmation: { typedNames: ['prod'] } });
    expect(kept.map((item) => item.action)).toEqual(['skipped', 'unchanged']);
    const replaced = await copySecrets({ audit }, { from: dev, to: prod, keys: ['DIFFERENT'], overwrite: true, confirmation: { typedNames: ['prod'] } });
    expect(replaced).toEqual([{ key: 'DIFFERENT', ok: true, action: 'updated', version: '2' }]);
    expect((await vault.get('kv/shop/DIFFERENT', { version: '1' })).value).toBe(`${CANARY}prod-value`);

    // A key missing from the source is not attempted, so it has no entry of its own.
    const entries = await audit.query({ actions: ['env.copy'] });
    expect(entries.map((entry) => [entry.outcome, entry.ref ?? '', entry.target_ref ?? ''])).toEqual([
      ['started', '', ''],
      ['ok', 'file://shop/dev/SAME', 'file://shop/staging/SAME'],
      ['ok', 'file://shop/dev/DIFFERENT', 'file://shop/staging/DIFFERENT'],
      ['started', '', ''],
      ['started', '', ''],
      ['ok', 'file://shop/dev/DIFFERENT', 'vault://kv/shop/DIFFERENT'],
    ]);
  });

  it('a damaged write during a copy is undone: the target keeps its value or is removed again', async () => {
    backend.fail({ operation: 'set', mode: 'corrupt', path: 'shop/staging/SAME' });
    const result = await copySecrets({ audit }, { from: prod, to: staging, keys: ['SAME'], confirmation: { assumeYes: true } });
    expect(result[0]).toMatchObject({ ok: false, action: 'failed', error: { kind: 'BackendUnavailable', message: expect.stringContaining('removed again') } });
    expect(store.paths()).not.toContain('shop/staging/SAME');
  });
});
