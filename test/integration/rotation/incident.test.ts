import { lstat, mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE, createAuditLog, type AuditLog } from '../../../electron/core/audit/audit-log';
import { environmentOverBackend, type EnvironmentView } from '../../../electron/core/environments/environment-view';
import { FileLocks } from '../../../electron/core/fs/locks';
import { resumeIncident, previewIncident, runIncident, type IncidentDeps, type IncidentProgress } from '../../../electron/core/rotation/incident';
import { renderReportText } from '../../../electron/core/rotation/incident-report';
import { createIncidentReportStore, INCIDENTS_DIR } from '../../../electron/core/rotation/incident-store';
import { ROTATION_METADATA_KEY } from '../../../electron/core/rotation/policy';
import { FaultyBackend } from '../../doubles/faulty-backend';
import { LatencyBackend } from '../../doubles/latency-backend';
import { RecordingSessionRevoker } from '../../doubles/recording-session-revoker';
import { VersionedMemoryBackend } from '../../doubles/versioned-memory-backend';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { captureLogger } from '../../harness/log-capture';

const CANARY = 'incident-canary-';

describe('incident mode (versioned backend double, real audit log and report files)', () => {
  let xdg: TempXdg;
  let audit: AuditLog;
  let inner: VersionedMemoryBackend;
  let backend: FaultyBackend;
  let logs: ReturnType<typeof captureLogger>;
  let environments: EnvironmentView[];
  let revoker: RecordingSessionRevoker;
  let deps: IncidentDeps;

  beforeEach(async () => {
    xdg = await createTempXdg();
    audit = createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), user: 'oncall' });
    inner = new VersionedMemoryBackend();
    backend = new FaultyBackend(inner);
    logs = captureLogger();
    // 200 secrets: 120 in prod (protected), 80 in staging; each with a generator policy the person chose,
    // but two that are rotated by hand.
    for (let index = 0; index < 200; index += 1) {
      const environment = index < 120 ? 'prod' : 'staging';
      const metadata: Record<string, string> = { [ROTATION_METADATA_KEY]: index === 7 || index === 150 ? 'manual' : 'password-32' };
      await inner.set(`shop/${environment}/KEY_${String(index).padStart(3, '0')}`, `${CANARY}${index}`, { metadata });
    }
    environments = [
      environmentOverBackend({ project: 'shop', name: 'prod', protected: true, backend, prefix: 'shop/prod/' }),
      environmentOverBackend({ project: 'shop', name: 'staging', backend, prefix: 'shop/staging/' }),
    ];
    revoker = new RecordingSessionRevoker(12);
    deps = {
      resolveBackend: () => backend,
      audit,
      logger: logs.logger,
      reports: createIncidentReportStore(xdg.paths.stateDir),
      sessions: revoker,
      user: 'oncall',
    };
  });
  afterEach(() => xdg.cleanup());

  const versionsOf = async (path: string) => (await inner.describe(path)).versions.length;

  it('previews every rotatable secret and the sessions to revoke, and asks for the protected name', async () => {
    const preview = await previewIncident(deps, { environments, sessions: { scope: 'user', user_id: 'user-123' } });
    expect(preview.items).toHaveLength(200);
    expect(preview.rotatable).toBe(198);
    expect(preview.items.find((item) => item.key === 'KEY_007')).toMatchObject({ class: 'by-hand', rotatable: false, reason: expect.stringContaining('by hand') });
    expect(preview.items.find((item) => item.key === 'KEY_000')).toMatchObject({ class: 'generate', rotatable: true, policy: 'password, 32 characters' });
    expect(preview.sessions).toEqual({ plan: { scope: 'user', user_id: 'user-123' }, count: 12 });
    expect(preview.typeToConfirm).toEqual(['prod']);
    expect(JSON.stringify(preview)).not.toContain(CANARY);
  });

  it('refuses to run without confirmation, and without the typed name of a protected environment', async () => {
    await expect(runIncident(deps, { environments })).rejects.toMatchObject({ kind: 'ConfirmationRequired', message: expect.stringContaining('type the name of prod') });
    await expect(runIncident(deps, { environments }, { confirmation: { typedNames: ['staging'] } })).rejects.toMatchObject({
      kind: 'ConfirmationRequired',
      message: expect.stringContaining('prod is protected'),
    });
    expect(await versionsOf('shop/prod/KEY_000')).toBe(1);
  });

  it('rotates 200 secrets with some failing, reports it plainly, and a re-run finishes only what is left', async () => {
    // Ten secrets fail every write; one write is damaged (caught by the read-back, old value put back).
    backend.fail({ operation: 'set', mode: 'before', path: /KEY_(01[0-9])$/, times: 10 });
    backend.fail({ operation: 'set', mode: 'corrupt', path: 'shop/staging/KEY_160' });
    const events: IncidentProgress[] = [];
    const first = await runIncident(
      deps,
      { environments, sessions: { scope: 'all' } },
      { confirmation: { typedNames: ['prod'] }, concurrency: 16, onProgress: (event) => events.push(event) },
    );
    const { report } = first;
    expect(report.status).toBe('partial');
    expect(report.counts).toEqual({ total: 200, rotated: 187, failed: 11, skipped: 0, pending: 0, cancelled: 0, by_hand: 2, marked: 0 });
    expect(report.items.find((item) => item.key === 'KEY_007')).toMatchObject({ status: 'by-hand', class: 'by-hand', reason: 'Its policy says it is rotated by hand.' });
    expect(report.sessions).toMatchObject({ status: 'revoked', revoked: 12 });
    const failed = report.items.filter((item) => item.status === 'failed');
    expect(failed.map((item) => item.key).sort()).toEqual([...Array.from({ length: 10 }, (_, index) => `KEY_01${index}`), 'KEY_160']);
    expect(failed.find((item) => item.key === 'KEY_160')).toMatchObject({ state: 'restored', error: { message: expect.stringContaining('previous value was put back') } });
    expect(failed.find((item) => item.key === 'KEY_010')).toMatchObject({ state: 'unchanged', error: { kind: 'BackendUnavailable' } });
    // Progress: one event per item, done counting up to the total, and a final "done".
    const itemEvents = events.filter((event) => event.item !== undefined);
    expect(itemEvents).toHaveLength(198);
    expect(itemEvents.map((event) => event.done)).toEqual(Array.from({ length: 198 }, (_, index) => index + 1));
    expect(events.at(-1)).toMatchObject({ phase: 'done', done: 198, rotated: 187, failed: 11 });
    // Every failed secret still has its old value; every rotated one has a second version.
    expect((await inner.get('shop/prod/KEY_012')).value).toBe(`${CANARY}12`);
    expect((await inner.get('shop/staging/KEY_160')).value).toBe(`${CANARY}160`);
    expect(await versionsOf('shop/prod/KEY_000')).toBe(2);
    expect(await versionsOf('shop/prod/KEY_007')).toBe(1);

    // The saved report (JSON and text, private files) says the same, and the text names what is left.
    const paths = deps.reports.pathsOf(report.id);
    expect((await lstat(paths.json)).mode & 0o777).toBe(0o600);
    expect((await deps.reports.open(report.id)).counts).toEqual(report.counts);
    const text = await deps.reports.openText(report.id);
    expect(text).toContain('Status: PARTIAL — 187 rotated, 11 failed, 0 skipped, 2 to rotate by hand (0 marked done), 11 left to do');
    expect(text).toMatch(/ROTATE BY HAND \(2\)\n {2}Latchkey did not change these\./);
    expect(text).toContain(`latchkey incident resume ${report.id}`);
    expect(text).toMatch(/FAILED \(11\)\n {2}shop\/prod {2}KEY_010/);
    expect(await deps.reports.list()).toEqual([expect.objectContaining({ id: report.id, status: 'partial' })]);

    // The re-run: faults are gone; only the 11 failed items are touched, sessions are not revoked again.
    backend.clearFaults();
    const writesBefore = backend.calls.filter((call) => call.operation === 'set').length;
    const second = await resumeIncident(deps, report.id, { confirmation: { typedNames: ['prod'] } });
    expect(second.report.status).toBe('completed');
    expect(second.report.counts).toMatchObject({ rotated: 198, failed: 0, skipped: 0, by_hand: 2 });
    expect(backend.calls.filter((call) => call.operation === 'set').length - writesBefore).toBe(11);
    expect(revoker.revoked).toHaveLength(1);
    expect(await versionsOf('shop/prod/KEY_000')).toBe(2);
    expect(await versionsOf('shop/prod/KEY_012')).toBe(2);
    expect(second.report.runs).toHaveLength(2);
    expect(second.report.items.find((item) => item.key === 'KEY_012')?.attempts).toBe(2);

    // Resuming a completed incident does nothing.
    const third = await resumeIncident(deps, report.id, { confirmation: { assumeYes: true } });
    expect(third.report.runs).toHaveLength(2);

    // Audit: the runs, each rotation with the report id, the revocation — and no value anywhere.
    const entries = await audit.query({ limit: 10_000 });
    expect(entries.filter((entry) => entry.action === 'incident.run').map((entry) => entry.outcome)).toEqual(['started', 'partial', 'started', 'ok']);
    expect(entries.filter((entry) => entry.action === 'secret.rotate' && entry.outcome === 'ok' && entry.report_id === report.id)).toHaveLength(198);
    expect(entries.filter((entry) => entry.action === 'session.revoke')).toEqual([
      expect.objectContaining({ outcome: 'started', sessions: { scope: 'all' } }),
      expect.objectContaining({ outcome: 'ok', counts: { revoked: 12 }, sessions: { scope: 'all' } }),
    ]);
    const everything = [await readFile(join(xdg.paths.stateDir, AUDIT_FILE), 'utf8'), await readFile(paths.json, 'utf8'), text, ...logs.lines, JSON.stringify(events)].join('\n');
    expect(everything).not.toContain(CANARY);
    expect((await audit.verify()).intact).toBe(true);
  });

  it('cancel stops new rotations, finishes the ones in flight, and a re-run completes the rest', async () => {
    const controller = new AbortController();
    let seen = 0;
    const { report } = await runIncident(
      deps,
      { environments },
      {
        confirmation: { assumeYes: true },
        concurrency: 4,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.item !== undefined && (seen += 1) === 30) controller.abort();
        },
      },
    );
    expect(report.status).toBe('cancelled');
    expect(report.counts.rotated).toBeGreaterThanOrEqual(30);
    expect(report.counts.rotated).toBeLessThan(40);
    expect(report.counts.rotated + report.counts.cancelled + (report.counts.by_hand ?? 0)).toBe(200);
    expect(report.counts.failed).toBe(0);
    // No secret is half-rotated: each has one version (untouched) or two (rotated), matching the report.
    for (const item of report.items) {
      expect(await versionsOf(item.ref.slice('vault://'.length)), item.key).toBe(item.status === 'rotated' ? 2 : 1);
    }
    const resumed = await resumeIncident(deps, report.id, { confirmation: { assumeYes: true } });
    expect(resumed.report).toMatchObject({ status: 'completed', counts: { rotated: 198, cancelled: 0 } });
  });

  it('a failed session revocation is retried by the re-run, and items can be left out', async () => {
    revoker.failNext = 1;
    const excluded = 'vault://shop/staging/KEY_199';
    const { report } = await runIncident(deps, { environments: [environments[1] as EnvironmentView], sessions: { scope: 'device', device_id: 'watch-42' } }, { confirmation: { assumeYes: true }, exclude: [excluded] });
    expect(report.status).toBe('partial');
    expect(report.sessions).toMatchObject({ status: 'failed', error: { kind: 'BackendUnavailable' } });
    expect(report.items.find((item) => item.ref === excluded)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('Left out') });
    const again = await resumeIncident(deps, report.id, { confirmation: { assumeYes: true } });
    expect(again.report.status).toBe('completed');
    expect(again.report.sessions).toMatchObject({ status: 'revoked', revoked: 12, attempts: 2 });
    expect(revoker.revoked).toEqual([{ scope: 'device', device_id: 'watch-42' }]);
  });

  it('concurrency bounds the rotations at the backend, not those waiting for the audit log: a slow log holds no backend slot', async () => {
    // Every backend call takes 5 ms and every audit append 15 ms more than it would.
    const slow = new LatencyBackend(backend, 5);
    let inFlight = 0;
    let maxInFlight = 0;
    const counted = new Proxy(slow, {
      get(target, property) {
        const member: unknown = Reflect.get(target, property, target);
        if (typeof member !== 'function') return member;
        return async (...args: unknown[]) => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            return await (member as (...callArgs: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            inFlight -= 1;
          }
        };
      },
    });
    let open = 0;
    let maxOpen = 0;
    const slowAudit: IncidentDeps['audit'] = {
      append: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 15));
        const entry = await audit.append(event);
        if (event.action === 'secret.rotate') {
          open += event.outcome === 'started' ? 1 : -1;
          maxOpen = Math.max(maxOpen, open);
        }
        return entry;
      },
    };
    const staging = environmentOverBackend({ project: 'shop', name: 'staging', backend: counted, prefix: 'shop/staging/' });
    const { report } = await runIncident({ ...deps, audit: slowAudit, resolveBackend: () => counted }, { environments: [staging] }, { confirmation: { assumeYes: true }, concurrency: 3 });
    expect(report.counts).toMatchObject({ rotated: 79, failed: 0, by_hand: 1 });
    expect(maxInFlight).toBe(3);
    // More rotations were under way than the concurrency: the ones waiting for their audit entries,
    // up to three per backend slot.
    expect(maxOpen).toBeGreaterThan(6);
    expect(maxOpen).toBeLessThanOrEqual(12);
  });

  it('one run per report: a second run of the same report is refused with who holds it; a dead holder\'s lock is taken over', async () => {
    const controller = new AbortController();
    const { report } = await runIncident(deps, { environments }, { confirmation: { assumeYes: true }, concurrency: 2, signal: controller.signal, onProgress: (event) => (event.done >= 5 ? controller.abort() : undefined) });
    expect(report.status).toBe('cancelled');
    // Another run holds the report (as a second `latchkey incident resume` would).
    const held = await deps.reports.lock(report.id);
    const writesBefore = backend.calls.filter((call) => call.operation === 'set').length;
    await expect(resumeIncident(deps, report.id, { confirmation: { assumeYes: true } })).rejects.toMatchObject({
      kind: 'Conflict',
      message: expect.stringMatching(new RegExp(`^Incident ${report.id} is being run by process ${process.pid} on ${hostname()}, since \\d{4}-\\d\\d-\\d\\dT`)),
    });
    await expect(deps.reports.lock(report.id)).rejects.toMatchObject({ kind: 'Conflict' });
    expect(backend.calls.filter((call) => call.operation === 'set').length).toBe(writesBefore);
    await held.release();

    // A holder that died long ago (its lock no longer refreshed) does not block the next run.
    const dir = join(xdg.paths.stateDir, INCIDENTS_DIR);
    await mkdir(join(dir, `${report.id}.run.lock`), { mode: 0o700 });
    await writeFile(join(dir, `${report.id}.run.owner.json`), JSON.stringify({ pid: 999_999_999, host: hostname(), since: '2025-01-01T00:00:00.000Z' }), { mode: 0o600 });
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, `${report.id}.run.lock`), past, past);
    const resumed = await resumeIncident(deps, report.id, { confirmation: { assumeYes: true } });
    expect(resumed.report).toMatchObject({ status: 'completed', counts: { rotated: 198 } });
    // Each secret rotated exactly once over both runs.
    for (const item of resumed.report.items) expect(await versionsOf(item.ref.slice('vault://'.length)), item.key).toBe(item.status === 'rotated' ? 2 : 1);
    expect((await readdir(dir)).filter((name) => name.includes('.run'))).toEqual([]);
  });

  it('after a run was killed, the next look at the report makes its text agree with the JSON, closes "running" and removes temporary files', async () => {
    const { report } = await runIncident(deps, { environments: [environments[1] as EnvironmentView] }, { confirmation: { assumeYes: true } });
    const dir = join(xdg.paths.stateDir, INCIDENTS_DIR);
    // As a SIGKILL leaves it: the JSON of a later save (a run still "running") written, the text one save
    // behind, and half-written temporary files of the atomic writes.
    const killed = { ...report, status: 'running' as const, runs: [...report.runs, { started_at: new Date().toISOString(), user: 'oncall' }] };
    killed.items = killed.items.map((item, index) => (index < 3 ? { ...item, status: 'pending' as const } : item));
    await writeFile(join(dir, `${report.id}.json`), `${JSON.stringify(killed, null, 2)}\n`, { mode: 0o600 });
    const staleText = await readFile(join(dir, `${report.id}.txt`), 'utf8');
    // While a run holds the report, nothing is touched (its writes are in flight).
    const held = await deps.reports.lock(report.id);
    for (const name of [`.${report.id}.json.27182818284a.tmp`, `.${report.id}.txt.31415926535b.tmp`]) await writeFile(join(dir, name), '{"partial', { mode: 0o600 });
    expect((await deps.reports.list()).map((summary) => summary.status)).toEqual(['running']);
    expect(await readdir(dir)).toContain(`.${report.id}.json.27182818284a.tmp`);
    await held.release();

    const listed = await deps.reports.list();
    expect(listed.map((summary) => summary.status)).toEqual(['partial']);
    const json = await deps.reports.open(report.id);
    expect(json.status).toBe('partial');
    const text = await readFile(join(dir, `${report.id}.txt`), 'utf8');
    expect(text).not.toBe(staleText);
    expect(text).toBe(renderReportText(json));
    expect(text).toContain('NOT STARTED (3)');
    expect(await deps.reports.openText(report.id)).toBe(text);
    expect((await readdir(dir)).sort()).toEqual([`${report.id}.json`, `${report.id}.txt`]);
  });

  it('refuses to open a report that was edited into something else', async () => {
    const { report } = await runIncident(deps, { environments: [environments[1] as EnvironmentView] }, { confirmation: { assumeYes: true } });
    const path = join(xdg.paths.stateDir, INCIDENTS_DIR, `${report.id}.json`);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, JSON.stringify({ ...report, items: 'nope' }));
    await expect(resumeIncident(deps, report.id, { confirmation: { assumeYes: true } })).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('damaged or was edited') });
    await expect(deps.reports.open('../../etc/passwd')).rejects.toMatchObject({ kind: 'InvalidInput' });
  });
});
