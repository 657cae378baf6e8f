import { it } from 'vitest';
import { createAuditLog } from '../electron/core/audit/audit-log';
import { environmentOverBackend, type EnvironmentView } from '../electron/core/environments/environment-view';
import { FileLocks } from '../electron/core/fs/locks';
import { runIncident } from '../electron/core/rotation/incident';
import { createIncidentReportStore } from '../electron/core/rotation/incident-store';
import type { SecretBackend } from '../electron/core/secrets/backend';
import { LatencyBackend } from '../test/doubles/latency-backend';
import { VersionedMemoryBackend } from '../test/doubles/versioned-memory-backend';
import { createTempXdg } from '../test/harness/temp-xdg';

/**
 * Incident rotation of 500 secrets at concurrency 1 (the baseline) and 16, printed as a ratio.
 *
 * The backend is a STAND-IN: an in-memory versioned double with ~2 ms added to every call, in place of
 * the Vault wire-level fake, which is built on another branch. To measure through the fake, replace
 * `createBenchBackend` with one that starts the fake (test/fakes/) and returns the real Vault backend
 * pointed at it; nothing else changes. The audit log and the incident reports are real files.
 */
const SECRETS = 500;
const LATENCY_MS = 2;

interface BenchBackend {
  backend: SecretBackend;
  label: string;
  close(): Promise<void>;
}

async function createBenchBackend(): Promise<BenchBackend> {
  return { backend: new LatencyBackend(new VersionedMemoryBackend({ scheme: 'vault' }), LATENCY_MS), label: `versioned double + ${LATENCY_MS} ms per call (stand-in for the Vault fake)`, close: async () => undefined };
}

async function seed(backend: SecretBackend): Promise<EnvironmentView> {
  for (let index = 0; index < SECRETS; index += 1) await backend.set(`bench/prod/KEY_${String(index).padStart(4, '0')}`, `initial-${index}`);
  return environmentOverBackend({ project: 'bench', name: 'prod', backend, prefix: 'bench/prod/' });
}

async function measure(concurrency: number, options: { fileAudit: boolean } = { fileAudit: true }): Promise<{ ms: number; rotated: number }> {
  const { backend, close } = await createBenchBackend();
  const xdg = await createTempXdg();
  try {
    const environment = await seed(backend);
    const deps = {
      resolveBackend: () => backend,
      // The in-memory sink isolates what the fsynced audit appends cost.
      audit: options.fileAudit ? createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), user: 'bench' }) : { append: async () => undefined },
      reports: createIncidentReportStore(xdg.paths.stateDir),
      user: 'bench',
    };
    const started = performance.now();
    const { report } = await runIncident(deps, { environments: [environment] }, { confirmation: { assumeYes: true }, concurrency });
    const ms = performance.now() - started;
    if (report.counts.rotated !== SECRETS) throw new Error(`expected ${SECRETS} rotations, got ${report.counts.rotated}`);
    return { ms, rotated: report.counts.rotated };
  } finally {
    await close();
    await xdg.cleanup();
  }
}

it(`incident rotation of ${SECRETS} secrets: concurrency 16 against concurrency 1`, async () => {
  const { label } = await createBenchBackend();
  const baseline = await measure(1);
  const parallel = await measure(16);
  const withoutAudit = await measure(1, { fileAudit: false });
  const rate = (result: { ms: number; rotated: number }) => ((result.rotated / result.ms) * 1000).toFixed(1);
  console.log(
    [
      `incident rotation, ${SECRETS} secrets, backend: ${label}`,
      `  concurrency  1: ${(baseline.ms / 1000).toFixed(2)} s  (${rate(baseline)} rotations/s)  [baseline]`,
      `  concurrency 16: ${(parallel.ms / 1000).toFixed(2)} s  (${rate(parallel)} rotations/s)`,
      `  speed-up: ${(baseline.ms / parallel.ms).toFixed(2)}x`,
      `  (concurrency 1 with the audit log in memory instead of fsynced to disk: ${(withoutAudit.ms / 1000).toFixed(2)} s, ` +
        `${(baseline.ms / withoutAudit.ms).toFixed(2)}x faster than the baseline — the share of the audit trail)`,
    ].join('\n'),
  );
});
