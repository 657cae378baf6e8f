import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE, createAuditLog, type AuditLog } from '../../../electron/core/audit/audit-log';
import { FileLocks } from '../../../electron/core/fs/locks';
import { createBackendEscrow, defaultEscrowPath } from '../../../electron/core/rotation/escrow';
import { ROTATION_METADATA_KEY } from '../../../electron/core/rotation/policy';
import { rollbackSecret } from '../../../electron/core/rotation/rollback-secret';
import { rotateSecret, type RotationDeps } from '../../../electron/core/rotation/rotate-secret';
import { FaultyBackend, type FaultMode, type FaultOperation } from '../../doubles/faulty-backend';
import { VersionedMemoryBackend } from '../../doubles/versioned-memory-backend';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { captureLogger } from '../../harness/log-capture';
import { createTestOrigins } from '../../harness/origins';
import { join } from 'node:path';

const OLD = 'old-canary-5d1e0b7f';
const PATH = 'demo/prod/DB_PASSWORD';
const REF = `vault://${PATH}`;
type Mode = 'history' | 'staging' | 'none';

describe('rotating one secret (versioned backend double, real audit log)', () => {
  let xdg: TempXdg;
  let audit: AuditLog;
  let logs: ReturnType<typeof captureLogger>;
  beforeEach(async () => {
    xdg = await createTempXdg();
    audit = createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), user: 'tester' });
    logs = captureLogger();
  });
  afterEach(() => xdg.cleanup());

  const setup = async (mode: Mode) => {
    const inner = new VersionedMemoryBackend({ mode });
    await inner.set(PATH, OLD, mode === 'none' ? {} : { metadata: { owner: 'team-db' } });
    const backend = new FaultyBackend(inner);
    const escrowStore = new VersionedMemoryBackend({ mode: 'history', scheme: 'file' });
    const generated: string[] = [];
    // OLD counts as a value Latchkey generated earlier (its origin record), so the rule lets it be replaced.
    const origins = createTestOrigins(xdg.paths.stateDir);
    await origins.remember(REF, OLD);
    const deps: RotationDeps = {
      resolveBackend: () => backend,
      audit,
      logger: logs.logger,
      origins,
      ...(mode === 'none' ? { escrow: createBackendEscrow(escrowStore) } : {}),
      generate: () => {
        const value = `new-canary-${generated.length}-${Math.random().toString(36).slice(2)}`;
        generated.push(value);
        return value;
      },
    };
    return { inner, backend, deps, generated, escrowStore };
  };

  const auditText = () => readFile(join(xdg.paths.stateDir, AUDIT_FILE), 'utf8');

  /** No value — old or new — in the audit log, the log lines, or the result. */
  const expectNoValues = async (values: string[], result: unknown) => {
    const text = await auditText();
    const everything = [text, ...logs.lines, JSON.stringify(result)].join('\n');
    for (const value of values) expect(everything).not.toContain(value);
    expect(everything).not.toContain('canary');
  };

  for (const mode of ['history', 'staging', 'none'] as const) {
    it(`${mode}: rotates, verifies, keeps the previous value restorable, and audits started + ok`, async () => {
      const { inner, deps, generated, escrowStore } = await setup(mode);
      const result = await rotateSecret(deps, REF, { project: 'demo', environment: 'prod' });
      expect(result).toMatchObject({ ref: REF, ok: true, state: 'rotated' });
      const current = await inner.get(PATH);
      expect(current.value).toBe(generated.at(-1));
      if (mode === 'none') {
        expect(escrowStore.paths()).toHaveLength(1);
      } else {
        expect(result.version).toBe(current.version);
        expect(result.previousVersion).toBe('1');
        expect((await inner.get(PATH, { version: result.previousVersion as string })).value).toBe(OLD);
        expect((await inner.describe(PATH)).metadata).toMatchObject({ owner: 'team-db' });
      }
      const entries = await audit.tail(10);
      expect(entries.map((entry) => [entry.action, entry.outcome, entry.ref, entry.environment])).toEqual([
        ['secret.rotate', 'started', REF, 'prod'],
        ['secret.rotate', 'ok', REF, 'prod'],
      ]);
      await expectNoValues([OLD, ...generated], result);
    });

    it(`${mode}: rollback makes the previous value current again and is audited`, async () => {
      const { inner, deps, generated } = await setup(mode);
      await rotateSecret(deps, REF);
      const rolled = await rollbackSecret(deps, REF);
      expect(rolled).toMatchObject({ ok: true, state: 'rotated' });
      expect((await inner.get(PATH)).value).toBe(OLD);
      if (mode === 'staging') {
        const stages = (await inner.describe(PATH)).versions.find((version) => version.current)?.stages;
        expect(stages).toContain('AWSCURRENT');
        expect(rolled.restoredFrom).toBe('1');
      }
      // A second rollback undoes the first.
      const again = await rollbackSecret(deps, REF);
      expect(again.ok).toBe(true);
      expect((await inner.get(PATH)).value).toBe(generated.at(-1));
      expect((await audit.query({ actions: ['secret.rollback'] })).map((entry) => entry.outcome)).toEqual(['started', 'ok', 'started', 'ok']);
      await expectNoValues([OLD, ...generated], [rolled, again]);
    });

    // Every operation, failing in every way, at its first, second or third call: afterwards the current
    // value is the old or the new one — never a third — and the result says which. Without versions, a
    // damaged write cannot be told from another writer's value, so it is left, reported as unknown, and
    // the rollback the message names brings the old value back from the escrow.
    const operations: FaultOperation[] = ['describe', 'get', 'set', 'stage', 'promote'];
    const modes: FaultMode[] = ['before', 'after', 'corrupt', 'garble'];
    it(`${mode}: an injected failure at any step leaves the old or the new value current, never neither`, async () => {
      let cases = 0;
      for (const operation of operations) {
        for (const faultMode of modes) {
          for (const skip of [0, 1, 2]) {
            const { inner, backend, deps, generated, escrowStore } = await setup(mode);
            backend.fail({ operation, mode: faultMode, skip });
            const result = await rotateSecret(deps, REF);
            const label = `${operation}/${faultMode}/skip ${skip}: ${JSON.stringify(result)}`;
            let current = (await inner.get(PATH)).value;
            if (mode === 'none' && ![OLD, ...generated].includes(current)) {
              expect(result, label).toMatchObject({ ok: false, state: 'unknown', error: { message: expect.stringContaining('latchkey rollback') } });
              backend.clearFaults();
              expect((await rollbackSecret(deps, REF)).ok, label).toBe(true);
              current = (await inner.get(PATH)).value;
              expect(current, label).toBe(OLD);
            }
            expect([OLD, ...generated], label).toContain(current);
            if (result.ok) expect(current, label).toBe(generated.at(-1));
            if (result.state === 'unchanged' || result.state === 'restored') expect(current, label).toBe(OLD);
            // A read damaged on the way makes the value look like one Latchkey did not make: left by hand, unchanged.
            if (!result.ok) expect(result.error?.message, label).toMatch(/Rotation of vault:\/\/demo\/prod\/DB_PASSWORD failed|DB_PASSWORD is rotated by hand, so Latchkey left it unchanged/);
            if (result.rule?.class === 'by-hand') expect(result.state, label).toBe('unchanged');
            if (result.state === 'unknown') expect(result.error?.message, label).toContain('latchkey rollback');
            if (mode !== 'none' && result.ok) expect((await inner.get(PATH, { version: '1' })).value, label).toBe(OLD);
            // Without versions, the previous value lives in the escrow: exactly the old value, never a damaged read.
            if (mode === 'none' && result.ok) expect((await escrowStore.get(defaultEscrowPath(REF))).value, label).toBe(OLD);
            cases += 1;
          }
        }
      }
      expect(cases).toBe(60);
      const outcomes = await audit.query({ actions: ['secret.rotate'], limit: 1000 });
      expect(outcomes.filter((entry) => entry.outcome === 'started')).toHaveLength(60);
      expect(outcomes.filter((entry) => entry.outcome !== 'started')).toHaveLength(60);
      expect((await audit.verify()).intact).toBe(true);
    });
  }

  it('a damaged write is detected by the read-back and the old value is put back', async () => {
    const { inner, backend, deps } = await setup('history');
    backend.fail({ operation: 'set', mode: 'corrupt' });
    const result = await rotateSecret(deps, REF);
    expect(result).toMatchObject({ ok: false, state: 'restored', error: { message: expect.stringContaining('the previous value was put back') } });
    expect((await inner.get(PATH)).value).toBe(OLD);
  });

  it('a lost answer to a write that did happen still counts as rotated once the read-back confirms it', async () => {
    const { inner, backend, deps, generated } = await setup('history');
    backend.fail({ operation: 'set', mode: 'after' });
    const result = await rotateSecret(deps, REF);
    expect(result).toMatchObject({ ok: true, state: 'rotated' });
    expect((await inner.get(PATH)).value).toBe(generated.at(-1));
  });

  it('staging: a failure before promote leaves the current value in place, with the new one only pending', async () => {
    const { inner, backend, deps } = await setup('staging');
    backend.fail({ operation: 'promote', mode: 'before' });
    const result = await rotateSecret(deps, REF);
    expect(result).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'BackendUnavailable', message: expect.stringContaining('left in place') } });
    const description = await inner.describe(PATH);
    expect(description.versions.find((version) => version.current)?.version).toBe('1');
    expect(description.versions.find((version) => version.stages?.includes('AWSPENDING'))?.version).toBe('2');
  });

  it('staging: a damaged staged value is never promoted', async () => {
    const { inner, backend, deps } = await setup('staging');
    backend.fail({ operation: 'stage', mode: 'corrupt' });
    const result = await rotateSecret(deps, REF);
    expect(result.state).toBe('unchanged');
    expect(backend.calls.some((call) => call.operation === 'promote')).toBe(false);
    expect((await inner.get(PATH)).value).toBe(OLD);
  });

  it('a concurrent writer (check-and-set conflict) keeps its value: nothing is put back over it', async () => {
    const { inner, deps } = await setup('history');
    const racing: RotationDeps = {
      ...deps,
      generate: (policy) => {
        void inner.set(PATH, 'written-by-someone-else');
        return deps.generate?.(policy) ?? '';
      },
    };
    const result = await rotateSecret(racing, REF);
    expect(result).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'Conflict' } });
    expect((await inner.get(PATH)).value).toBe('written-by-someone-else');
  });

  it('refuses a backend without versions when no escrow is configured, changing nothing', async () => {
    const { inner, deps } = await setup('none');
    const { escrow: _escrow, ...withoutEscrow } = deps;
    const result = await rotateSecret(withoutEscrow, REF);
    expect(result).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'InvalidInput', message: expect.stringContaining('stores no earlier versions') } });
    expect((await inner.get(PATH)).value).toBe(OLD);
  });

  it('a failing escrow stops the rotation before anything changes', async () => {
    const { inner, deps, escrowStore } = await setup('none');
    const faultyEscrowStore = new FaultyBackend(escrowStore).fail({ operation: 'set', mode: 'before' });
    const result = await rotateSecret({ ...deps, escrow: createBackendEscrow(faultyEscrowStore) }, REF);
    expect(result.state).toBe('unchanged');
    expect((await inner.get(PATH)).value).toBe(OLD);
  });

  it('follows the stored policy, and stores an overriding one with the new value', async () => {
    const inner = new VersionedMemoryBackend();
    await inner.set(PATH, OLD, { metadata: { [ROTATION_METADATA_KEY]: 'hex-40' } });
    const deps: RotationDeps = { resolveBackend: () => inner, audit };
    expect((await rotateSecret(deps, REF)).ok).toBe(true);
    expect((await inner.get(PATH)).value).toMatch(/^[0-9a-f]{40}$/);
    expect((await rotateSecret(deps, REF, { policy: { generator: 'uuid', periodDays: 30 } })).ok).toBe(true);
    expect((await inner.get(PATH)).value).toMatch(/^[0-9a-f-]{36}$/);
    expect((await inner.describe(PATH)).metadata?.[ROTATION_METADATA_KEY]).toBe('uuid-p30');
  });

  it('does not rotate a manual secret, a missing secret, or when the audit log cannot be written', async () => {
    const inner = new VersionedMemoryBackend();
    await inner.set(PATH, OLD, { metadata: { [ROTATION_METADATA_KEY]: 'manual-p30' } });
    const deps: RotationDeps = { resolveBackend: () => inner, audit };
    expect(await rotateSecret(deps, REF)).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'InvalidInput', message: expect.stringContaining('rotated by hand') } });
    expect(await rotateSecret(deps, 'vault://demo/prod/MISSING')).toMatchObject({ ok: false, error: { kind: 'NotFound' } });
    expect(await rotateSecret(deps, 'nonsense')).toMatchObject({ ok: false, error: { kind: 'InvalidInput' } });
    const brokenAudit = { append: async () => Promise.reject(new Error('disk full')) };
    const refused = await rotateSecret({ ...deps, audit: brokenAudit }, REF, { policy: { generator: 'hex', length: 16 } });
    expect(refused).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'BackendUnavailable', message: expect.stringContaining('without a record') } });
    expect((await inner.get(PATH)).value).toBe(OLD);
  });

  it('a rotation that succeeds but cannot record its outcome says so', async () => {
    const inner = new VersionedMemoryBackend();
    await inner.set(PATH, OLD, { metadata: { [ROTATION_METADATA_KEY]: 'password-32' } });
    let calls = 0;
    const flakyAudit = { append: async () => (calls++ === 0 ? undefined : Promise.reject(new Error('disk full'))) };
    const result = await rotateSecret({ resolveBackend: () => inner, audit: flakyAudit }, REF);
    expect(result).toMatchObject({ ok: true, state: 'rotated', warning: expect.stringContaining('could not record the outcome') });
  });

  it('rollback with nothing to go back to fails plainly and changes nothing', async () => {
    const { inner, deps } = await setup('history');
    const result = await rollbackSecret(deps, REF);
    expect(result).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'NotFound', message: expect.stringContaining('no earlier enabled version') } });
    expect((await inner.get(PATH)).value).toBe(OLD);
  });

  for (const mode of ['history', 'staging', 'none'] as const) {
    it(`${mode}: an injected failure during rollback leaves the value from before or the restored one current`, async () => {
      for (const operation of ['get', 'set', 'promote', 'describe'] as const) {
        for (const faultMode of ['before', 'after', 'corrupt', 'garble'] as const) {
          for (const skip of [0, 1, 2]) {
            const { inner, backend, deps, generated } = await setup(mode);
            await rotateSecret(deps, REF);
            const rotated = generated.at(-1);
            backend.fail({ operation, mode: faultMode, skip });
            const result = await rollbackSecret(deps, REF);
            const label = `${operation}/${faultMode}/${skip}: ${JSON.stringify(result)}`;
            let current = (await inner.get(PATH)).value;
            if (mode === 'none' && current !== OLD && current !== rotated) {
              // Without versions a damaged write is left and reported; rolling back again puts the old value back.
              expect(result, label).toMatchObject({ ok: false, state: 'unknown', error: { message: expect.stringContaining('latchkey rollback') } });
              backend.clearFaults();
              expect((await rollbackSecret(deps, REF)).ok, label).toBe(true);
              current = (await inner.get(PATH)).value;
              expect(current, label).toBe(OLD);
              continue;
            }
            expect([OLD, rotated], label).toContain(current);
            if (result.ok) expect(current, label).toBe(OLD);
            if (result.state === 'unchanged' || result.state === 'restored') expect(current, label).toBe(rotated);
          }
        }
      }
    });
  }
});
