import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE, createAuditLog, type AuditLog } from '../../../electron/core/audit/audit-log';
import { auditTailCommand, auditVerifyCommand } from '../../../electron/core/audit/commands';
import { envDiffCommand, envExportCommand, envImportCommand } from '../../../electron/core/environments/commands';
import { createOutputFiles } from '../../../electron/core/envfiles/private-output-file';
import { environmentOverBackend, type EnvironmentView } from '../../../electron/core/environments/environment-view';
import { createFingerprinter } from '../../../electron/core/environments/fingerprint';
import { FileLocks } from '../../../electron/core/fs/locks';
import { historyCommand, incidentMarkCommand, incidentRotateCommand, rollbackCommand, rotateCommand, rotateDueCommand } from '../../../electron/core/rotation/commands';
import { countDue, listDue } from '../../../electron/core/rotation/due';
import { createIncidentReportStore } from '../../../electron/core/rotation/incident-store';
import { ROTATION_METADATA_KEY } from '../../../electron/core/rotation/policy';
import { VersionedMemoryBackend } from '../../doubles/versioned-memory-backend';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

const DAY = 24 * 60 * 60 * 1000;
const CANARY = 'command-canary-';

describe('command cores: JSON shapes, texts and exit codes (versioned backend double, real files)', () => {
  let xdg: TempXdg;
  let audit: AuditLog;
  let backend: VersionedMemoryBackend;
  let clock: number;
  let dev: EnvironmentView;
  let prod: EnvironmentView;
  const now = () => new Date(clock);

  beforeEach(async () => {
    xdg = await createTempXdg();
    clock = Date.parse('2025-01-01T00:00:00Z');
    audit = createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), user: 'ops', now });
    backend = new VersionedMemoryBackend({ now });
    dev = environmentOverBackend({ project: 'shop', name: 'dev', backend, prefix: 'shop/dev/', rotationPeriodDays: 30 });
    prod = environmentOverBackend({ project: 'shop', name: 'prod', protected: true, backend, prefix: 'shop/prod/' });
  });
  afterEach(() => xdg.cleanup());

  const deps = () => ({ resolveBackend: () => backend, audit, now, outputFiles: createOutputFiles(xdg.paths) });

  it('rotate: one row per ref {ref, ok, class, version?, changed_at, old_retired}, no values, exit 3 when a ref does not exist', async () => {
    await backend.set('shop/dev/A', `${CANARY}a`);
    const output = await rotateCommand(deps(), ['vault://shop/dev/A', 'vault://shop/dev/NOPE'], { policy: 'hex-24' });
    expect(output.json).toEqual([
      // Without a rotator only the stored copy changes: the old value still works wherever it is checked.
      { ref: 'vault://shop/dev/A', ok: true, class: 'generate', version: '2', changed_at: null, old_retired: false },
      { ref: 'vault://shop/dev/NOPE', ok: false, changed_at: null, old_retired: false, error: { kind: 'NotFound', message: expect.stringContaining('does not exist') } },
    ]);
    expect(output.exitCode).toBe(3);
    // Without a policy chosen, a typed-in key (here a Stripe one) is the person's to rotate: never overwritten.
    await backend.set('shop/dev/STRIPE_KEY', `sk_live_${CANARY}stripe`);
    const left = await rotateCommand(deps(), ['vault://shop/dev/STRIPE_KEY']);
    expect(left.json).toEqual([
      { ref: 'vault://shop/dev/STRIPE_KEY', ok: false, class: 'by-hand', changed_at: null, old_retired: false, error: { kind: 'InvalidInput', message: expect.stringContaining('rotate it at Stripe') } },
    ]);
    expect(left.text).toMatch(/^BY HAND {2}vault:\/\/shop\/dev\/STRIPE_KEY\n {2}vault:\/\/shop\/dev\/STRIPE_KEY is rotated by hand/);
    expect((await backend.get('shop/dev/STRIPE_KEY')).value).toBe(`sk_live_${CANARY}stripe`);
    expect((await backend.describe('shop/dev/STRIPE_KEY')).versions).toHaveLength(1);
    expect(JSON.stringify(left)).not.toContain(CANARY);
    expect((await backend.get('shop/dev/A')).value).toMatch(/^[0-9a-f]{24}$/);
    expect(output.text).toContain('rotated  vault://shop/dev/A  → version 2  (stored copy only: the old value still works wherever it is checked)');
    expect(JSON.stringify(output)).not.toContain(CANARY);
    expect((await backend.get('shop/dev/A')).value).not.toBe('');
    expect(JSON.stringify(output)).not.toContain((await backend.get('shop/dev/A')).value);
    await expect(rotateCommand(deps(), ['vault://shop/dev/A'], { policy: 'bogus' })).rejects.toMatchObject({ kind: 'InvalidInput' });
  });

  it('rollback and history: versions with times, the current one marked, no values', async () => {
    await backend.set('shop/dev/A', `${CANARY}a`, { metadata: { [ROTATION_METADATA_KEY]: 'password-32' } });
    clock += DAY;
    await rotateCommand(deps(), ['vault://shop/dev/A']);
    const rolled = await rollbackCommand(deps(), 'vault://shop/dev/A');
    expect(rolled).toMatchObject({ json: { ref: 'vault://shop/dev/A', ok: true, version: '3', restored_from: '1' }, exitCode: 0 });
    expect((await backend.get('shop/dev/A')).value).toBe(`${CANARY}a`);
    const history = await historyCommand(deps(), 'vault://shop/dev/A');
    expect(history.json).toEqual({
      ref: 'vault://shop/dev/A',
      versions: [
        { version: '3', created_at: '2025-01-02T00:00:00.000Z', state: 'enabled', current: true },
        { version: '2', created_at: '2025-01-02T00:00:00.000Z', state: 'enabled', current: false },
        { version: '1', created_at: '2025-01-01T00:00:00.000Z', state: 'enabled', current: false },
      ],
    });
    expect(history.text.split('\n')[0]).toMatch(/^\* 3\s+2025-01-02T00:00:00.000Z {2}enabled$/);
    expect(JSON.stringify([rolled, history])).not.toContain(CANARY);
  });

  it('rotate --due rotates exactly the overdue and due-soon secrets Latchkey generates, and lists the by-hand ones for a person', async () => {
    const generated = { metadata: { [ROTATION_METADATA_KEY]: 'password-32' } };
    await backend.set('shop/dev/OLD', 'x', generated); // 40 days old at check time: overdue (30-day environment period)
    await backend.set('shop/dev/MANUAL', 'x', { metadata: { [ROTATION_METADATA_KEY]: 'manual' } });
    await backend.set('shop/dev/TYPED', `${CANARY}typed`); // typed in, no policy: by hand
    clock += 15 * DAY;
    await backend.set('shop/dev/SOON', 'x', generated); // 25 days old: due soon (window: 6 days)
    await backend.set('shop/dev/WEEKLY', 'x', { metadata: { [ROTATION_METADATA_KEY]: 'password-32-p7' } }); // own period: overdue
    clock += 20 * DAY;
    await backend.set('shop/dev/FRESH', 'x', generated); // 5 days old: ok
    clock += 5 * DAY;

    const before = await listDue(deps(), [dev]);
    expect(Object.fromEntries(before.map((item) => [item.key, [item.status, item.class]]))).toEqual({
      FRESH: ['ok', 'generate'],
      MANUAL: ['overdue', 'by-hand'],
      OLD: ['overdue', 'generate'],
      SOON: ['due-soon', 'generate'],
      TYPED: ['overdue', 'by-hand'],
      WEEKLY: ['overdue', 'generate'],
    });
    expect(countDue(before)).toEqual([{ project: 'shop', environment: 'dev', overdue: 4, dueSoon: 1 }]);

    const output = await rotateDueCommand(deps(), [dev], { now });
    expect(output.json.map((item) => [item.ref, item.ok, item.class])).toEqual([
      ['vault://shop/dev/MANUAL', false, 'by-hand'],
      ['vault://shop/dev/OLD', true, 'generate'],
      ['vault://shop/dev/SOON', true, 'generate'],
      ['vault://shop/dev/TYPED', false, 'by-hand'],
      ['vault://shop/dev/WEEKLY', true, 'generate'],
    ]);
    // Due for a person, not a failure of the run.
    expect(output.json[3]).toEqual({ ref: 'vault://shop/dev/TYPED', ok: false, class: 'by-hand', changed_at: null, old_retired: false, reason: expect.stringMatching(/^Due \(overdue\) for a person to rotate: Latchkey did not make this value/) });
    expect(output.exitCode).toBe(0);
    expect(output.text).toContain('BY HAND  vault://shop/dev/TYPED');
    expect((await backend.get('shop/dev/TYPED')).value).toBe(`${CANARY}typed`);
    expect((await backend.describe('shop/dev/FRESH')).versions).toHaveLength(1);
    const after = await listDue(deps(), [dev]);
    expect(after.filter((item) => item.status !== 'ok').map((item) => item.key)).toEqual(['MANUAL', 'TYPED']);
  });

  it('incident rotate: needs confirmation, prints a report summary with what to rotate by hand, exit 0 when complete; mark-rotated records it', async () => {
    await backend.set('shop/prod/A', 'x', { metadata: { [ROTATION_METADATA_KEY]: 'password-32' } });
    await backend.set('shop/prod/B', `sk_live_${CANARY}b`);
    const deps2 = { ...deps(), reports: createIncidentReportStore(xdg.paths.stateDir), user: 'ops' };
    await expect(incidentRotateCommand(deps2, [prod])).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    const output = await incidentRotateCommand(deps2, [prod], { confirmation: { typedNames: ['prod'] } });
    expect(output.exitCode).toBe(0);
    expect(output.json).toMatchObject({
      status: 'completed',
      counts: { total: 2, rotated: 1, failed: 0, by_hand: 1, marked: 0 },
      items: [
        { ref: 'vault://shop/prod/A', environment: 'prod', status: 'rotated', class: 'generate', version: '2' },
        { ref: 'vault://shop/prod/B', environment: 'prod', status: 'by-hand', class: 'by-hand', provider: 'Stripe (live secret key)', reason: expect.stringContaining('rotate it at Stripe') },
      ],
      report: { json: expect.stringContaining(`${output.json.report_id}.json`), text: expect.stringContaining('.txt') },
    });
    expect(output.text).toContain('Rotate these by hand');
    expect(output.text).toContain('TO DO  vault://shop/prod/B  [Stripe (live secret key)]');
    expect((await backend.get('shop/prod/B')).value).toBe(`sk_live_${CANARY}b`);
    const text = await readFile(output.json.report.text, 'utf8');
    expect(text).toContain('Status: COMPLETED — 1 rotated, 0 failed, 0 skipped, 1 to rotate by hand (0 marked done)');
    expect(text).toContain('ROTATE BY HAND (1)');

    const marked = await incidentMarkCommand(deps2, output.json.report_id, ['vault://shop/prod/B']);
    expect(marked.json).toMatchObject({ counts: { by_hand: 1, marked: 1 }, items: [{}, { status: 'by-hand', marked: { by: 'ops' } }] });
    expect(await readFile(output.json.report.text, 'utf8')).toContain('done: marked rotated by hand at');
    await expect(incidentMarkCommand(deps2, output.json.report_id, ['vault://shop/prod/A'])).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(incidentMarkCommand(deps2, output.json.report_id, ['vault://shop/prod/NOPE'])).rejects.toMatchObject({ kind: 'NotFound' });
    expect((await audit.query({ actions: ['secret.mark-rotated'] })).map((entry) => [entry.ref, entry.report_id, entry.outcome])).toEqual([['vault://shop/prod/B', output.json.report_id, 'ok']]);
    expect(JSON.stringify([output, marked])).not.toContain(CANARY);
  });

  it('env diff, export and import commands', async () => {
    await backend.set('shop/dev/A', `${CANARY}1`);
    await backend.set('shop/prod/A', `${CANARY}2`);
    await backend.set('shop/prod/B', `${CANARY}3`);
    const diff = await envDiffCommand({ fingerprinter: createFingerprinter() }, dev, prod);
    expect(diff.json).toEqual({ missing_in_a: ['B'], missing_in_b: [], different: ['A'], same: [], unreadable: [] });
    expect(diff.text).toBe('missing in dev (1):\n  B\ndifferent (1):\n  A');

    const exported = await envExportCommand(deps(), prod);
    expect(exported.stdout).toContain(`A='${CANARY}2'`);
    const out = join(xdg.root, 'prod.env');
    expect((await envExportCommand(deps(), prod, { out })).text).toBe(`Wrote 2 secret(s) to ${out} (mode 600). Do not commit it.`);

    const preview = await envImportCommand(deps(), dev, exported.stdout ?? '');
    expect(preview.json).toEqual({ applied: false, preview: { added: ['B'], changed: ['A'], unchanged: [], invalid: [], duplicates: [], ignored: [] } });
    const applied = await envImportCommand(deps(), dev, exported.stdout ?? '', { confirmation: { assumeYes: true } });
    expect(applied.exitCode).toBe(0);
    expect((await envDiffCommand({ fingerprinter: createFingerprinter() }, dev, prod)).json).toEqual({ missing_in_a: [], missing_in_b: [], different: [], same: ['A', 'B'], unreadable: [] });
    expect(JSON.stringify([diff, preview, applied])).not.toContain(CANARY);
  });

  it('audit verify exits 0 when intact and 3 when a line was edited by hand; tail is readable', async () => {
    await audit.append({ action: 'secret.write', outcome: 'ok', ref: 'vault://shop/dev/A', project: 'shop', environment: 'dev' });
    await audit.append({ action: 'env.export', outcome: 'ok', project: 'shop', environment: 'dev', counts: { total: 2 } });
    expect((await auditVerifyCommand(audit)).exitCode).toBe(0);
    const tail = await auditTailCommand(audit, 5);
    expect(tail.text.split('\n')).toEqual([
      '2025-01-01T00:00:00.000Z  #1  ops  secret.write ok  shop/dev  vault://shop/dev/A',
      '2025-01-01T00:00:00.000Z  #2  ops  env.export ok  shop/dev total=2',
    ]);
    const path = join(xdg.paths.stateDir, AUDIT_FILE);
    await writeFile(path, (await readFile(path, 'utf8')).replace('"environment":"dev","hash"', '"environment":"prod","hash"'));
    const verdict = await auditVerifyCommand(audit);
    expect(verdict.exitCode).toBe(3);
    expect(verdict.text).toContain('line 1: edited — Line 1 was edited');
  });
});
