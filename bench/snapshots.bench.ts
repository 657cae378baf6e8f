import { it } from 'vitest';
import { createAuditLog } from '../electron/core/audit/audit-log';
import { environmentOverBackend, type EnvironmentView } from '../electron/core/environments/environment-view';
import { createFingerprinter } from '../electron/core/environments/fingerprint';
import { pinnedTo } from '../electron/core/environments/resolve-backend';
import { FileLocks } from '../electron/core/fs/locks';
import { createLogger } from '../electron/core/log';
import { runIncident } from '../electron/core/rotation/incident';
import { createIncidentReportStore } from '../electron/core/rotation/incident-store';
import { VaultBackend } from '../electron/core/secrets/backends/vault/vault-backend';
import { createSnapshotService } from '../electron/core/snapshots/snapshot-service';
import { createSnapshotStore } from '../electron/core/snapshots/snapshot-store';
import { VaultFake } from '../test/fakes/vault-fake';
import { createTempXdg } from '../test/harness/temp-xdg';

/**
 * What snapshots cost an incident: 500 secrets rotated through the real Vault backend against the
 * wire-level Vault fake (concurrency 16, +3 ms per request), without a snapshot (the baseline) and with
 * the snapshot every incident now takes first; and a restore of those 500 secrets to that snapshot.
 * A Vault snapshot reads each key once (its version); values stay in Vault.
 */
const SECRETS = 300;
const ROUND_TRIP_MS = 3;

async function measure(withSnapshot: boolean): Promise<{ incidentMs: number; restoreMs?: number; requests: number }> {
  const fake = await VaultFake.start({ maxVersions: 10 });
  const xdg = await createTempXdg();
  const logger = createLogger({ sink: () => undefined });
  const backend = new VaultBackend({ address: fake.url, auth: { method: 'token', token: fake.createToken() }, logger });
  try {
    // Each with a generator policy, so that the incident generates its next value.
    for (let index = 0; index < SECRETS; index += 1) fake.seed(`bench/prod/KEY_${String(index).padStart(4, '0')}`, { value: `initial-${index}`, metadata: { 'latchkey-rotation': 'password-32' } });
    const environment: EnvironmentView = environmentOverBackend({ project: 'bench', name: 'prod', backend, prefix: 'bench/prod/' });
    fake.inject({ kind: 'latency', ms: ROUND_TRIP_MS, times: Infinity });
    const audit = createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), user: 'bench' });
    const reports = createIncidentReportStore(xdg.paths.stateDir);
    const snapshots = createSnapshotService({
      projects: { find: async () => ({ project: { name: 'bench' }, environment: { id: 'env-bench' } }) as never },
      viewEnvironment: async () => environment,
      // Vault keeps versions: nothing is escrowed, so the store's key is never needed.
      store: createSnapshotStore({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), dataKey: { get: () => Promise.reject(new Error('no key')), forget: () => undefined } as never }),
      audit,
      reports,
      fingerprinter: createFingerprinter(),
      logger,
      now: () => new Date(),
    });
    const deps = { resolveBackend: pinnedTo(backend), audit, reports, user: 'bench', ...(withSnapshot ? { snapshots } : {}) };
    const before = fake.server.countRequests(() => true);
    const started = performance.now();
    const { report } = await runIncident(deps, { environments: [environment] }, { confirmation: { assumeYes: true }, concurrency: 16 });
    const incidentMs = performance.now() - started;
    if (report.counts.rotated !== SECRETS) throw new Error(`expected ${SECRETS} rotations, got ${report.counts.rotated}`);
    const requests = fake.server.countRequests(() => true) - before;
    if (!withSnapshot) return { incidentMs, requests };

    const snapshot = (await snapshots.list('bench', 'prod')).snapshots[0];
    const restoreStarted = performance.now();
    const restored = await snapshots.restore('bench', 'prod', { snapshot: snapshot?.id as string }, { confirmation: { assumeYes: true } });
    const restoreMs = performance.now() - restoreStarted;
    if (restored.changed.length !== SECRETS) throw new Error(`expected ${SECRETS} restored, got ${restored.changed.length}`);
    return { incidentMs, restoreMs, requests };
  } finally {
    await fake.close();
    await xdg.cleanup();
  }
}

it(`an incident over ${SECRETS} secrets through the Vault fake, with and without the snapshot taken first; and its restore`, async () => {
  // Alternated and repeated, the faster run of each counts: the machine is shared.
  const runs = { baseline: [] as Awaited<ReturnType<typeof measure>>[], snapshotted: [] as Awaited<ReturnType<typeof measure>>[] };
  for (let round = 0; round < 2; round += 1) {
    runs.baseline.push(await measure(false));
    runs.snapshotted.push(await measure(true));
  }
  const fastest = (list: Awaited<ReturnType<typeof measure>>[]) => list.reduce((best, run) => (run.incidentMs < best.incidentMs ? run : best));
  const baseline = fastest(runs.baseline);
  const snapshotted = fastest(runs.snapshotted);
  console.log(
    [
      `incident over ${SECRETS} secrets, VaultBackend → wire-level Vault fake, concurrency 16, +${ROUND_TRIP_MS} ms per request, real audit log and reports`,
      `  without a snapshot: ${(baseline.incidentMs / 1000).toFixed(2)} s (${(baseline.requests / SECRETS).toFixed(1)} HTTP requests per secret)  [baseline]`,
      `  with the snapshot first: ${(snapshotted.incidentMs / 1000).toFixed(2)} s (${(snapshotted.requests / SECRETS).toFixed(1)} HTTP requests per secret): ${(snapshotted.incidentMs / baseline.incidentMs).toFixed(2)}x the baseline`,
      `  restore of the ${SECRETS} secrets to that snapshot (a snapshot first, then a new version each, concurrency 4): ${((snapshotted.restoreMs ?? 0) / 1000).toFixed(2)} s, ${((snapshotted.restoreMs ?? 0) / baseline.incidentMs).toFixed(2)}x the baseline incident`,
    ].join('\n'),
  );
});
