import { it } from 'vitest';
import { createAuditLog } from '../electron/core/audit/audit-log';
import { environmentOverBackend, type EnvironmentView } from '../electron/core/environments/environment-view';
import { pinnedTo } from '../electron/core/environments/resolve-backend';
import { FileLocks } from '../electron/core/fs/locks';
import { createLogger } from '../electron/core/log';
import { runIncident, type IncidentProgress } from '../electron/core/rotation/incident';
import { createIncidentReportStore } from '../electron/core/rotation/incident-store';
import { VaultBackend } from '../electron/core/secrets/backends/vault/vault-backend';
import { createTempXdg } from '../test/harness/temp-xdg';
import { startVaultFakeProcess } from './support/vault-fake-process';

/**
 * Incident rotation of 500 secrets through the real Vault backend (node-vault's HTTP API) against the
 * wire-level Vault fake, at concurrency 1 (the baseline) and 16, printed as a ratio: once on loopback,
 * once with a simulated round trip added to every request (the fake's latency fault), which is where
 * bounded concurrency pays. The audit log and the incident reports are real, fsynced files.
 * The fake serves from its own Node process, as a real Vault would, so its CPU (HTTP server, JSON,
 * routing) is not counted as Latchkey's nor competes with it for this process's one thread.
 */
const SECRETS = 500;
const ROUND_TRIP_MS = 3;

interface Measured {
  ms: number;
  /** Until the first rotation could start: listing, inspecting every secret, the run's first audit entry and report. */
  inspectMs: number;
  rotated: number;
  requests: number;
}

async function measure(concurrency: number, roundTripMs: number, options: { fileAudit: boolean } = { fileAudit: true }): Promise<Measured> {
  const fake = await startVaultFakeProcess({ maxVersions: 10 });
  const xdg = await createTempXdg();
  try {
    const backend = new VaultBackend({ address: fake.url, auth: { method: 'token', token: await fake.createToken() }, logger: createLogger({ sink: () => undefined }) });
    // Each with a generator policy (the rotation rule rotates by generation only what the person chose or Latchkey made).
    await fake.seed(
      Array.from({ length: SECRETS }, (_, index) => ({
        path: `bench/prod/KEY_${String(index).padStart(4, '0')}`,
        data: { value: `initial-${index}`, metadata: { 'latchkey-rotation': 'password-32' } },
      })),
    );
    const environment: EnvironmentView = environmentOverBackend({ project: 'bench', name: 'prod', backend, prefix: 'bench/prod/' });
    if (roundTripMs > 0) await fake.inject({ kind: 'latency', ms: roundTripMs, times: Infinity });
    const deps = {
      resolveBackend: pinnedTo(backend),
      // The in-memory sink isolates what the fsynced audit appends cost.
      audit: options.fileAudit ? createAuditLog({ stateDir: xdg.paths.stateDir, anchorDir: xdg.paths.configDir, locks: new FileLocks(), user: 'bench' }) : { append: async () => undefined },
      reports: createIncidentReportStore(xdg.paths.stateDir),
      user: 'bench',
    };
    const before = await fake.countRequests();
    const started = performance.now();
    let rotationsFrom = 0;
    const onProgress = (progress: IncidentProgress) => {
      if (progress.phase === 'secrets' && rotationsFrom === 0) rotationsFrom = performance.now();
    };
    const { report } = await runIncident(deps, { environments: [environment] }, { confirmation: { assumeYes: true }, concurrency, onProgress });
    const ms = performance.now() - started;
    if (report.counts.rotated !== SECRETS) throw new Error(`expected ${SECRETS} rotations, got ${report.counts.rotated}`);
    return { ms, inspectMs: rotationsFrom - started, rotated: report.counts.rotated, requests: (await fake.countRequests()) - before };
  } finally {
    await fake.close();
    await xdg.cleanup();
  }
}

/** The run with the median time of `rounds` (the machine is shared: one run measures mostly what else ran). */
const median = (runs: Measured[]) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ROUNDS = 5;

it(`incident rotation of ${SECRETS} secrets through the Vault fake: concurrency 16 against concurrency 1`, async () => {
  const rate = (result: { ms: number; rotated: number }) => ((result.rotated / result.ms) * 1000).toFixed(1);
  const lines = [
    `incident rotation, ${SECRETS} secrets, VaultBackend → wire-level Vault fake (KV v2, check-and-set) serving from its own process as a real Vault would (its CPU is not counted as Latchkey's), real audit log and reports`,
    `  median of ${ROUNDS} alternating rounds after one warm-up run; "inspect" is the time before the first rotation (list, read every secret for its rule, the run's first audit entry and report)`,
  ];
  await measure(16, 0); // warm-up: the first run in a process mostly measures the JIT compiler
  for (const roundTrip of [0, ROUND_TRIP_MS]) {
    const serial: Measured[] = [];
    const bounded: Measured[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      serial.push(await measure(1, roundTrip));
      bounded.push(await measure(16, roundTrip));
    }
    const baseline = median(serial);
    const parallel = median(bounded);
    lines.push(
      `  ${roundTrip === 0 ? 'loopback' : `+${roundTrip} ms per request`}:`,
      `    concurrency  1: ${seconds(baseline.ms)}  (inspect ${seconds(baseline.inspectMs)}; ${rate(baseline)} rotations/s, ${(baseline.requests / SECRETS).toFixed(1)} HTTP requests per rotation)  [baseline; rounds: ${serial.map((run) => seconds(run.ms)).join(', ')}]`,
      `    concurrency 16: ${seconds(parallel.ms)}  (inspect ${seconds(parallel.inspectMs)}; ${rate(parallel)} rotations/s)  [rounds: ${bounded.map((run) => seconds(run.ms)).join(', ')}]`,
      `    speed-up: ${(baseline.ms / parallel.ms).toFixed(2)}x`,
    );
  }
  const withoutAudit = await measure(1, 0, { fileAudit: false });
  const baseline = await measure(1, 0);
  lines.push(
    `  (loopback, concurrency 1, audit log in memory instead of fsynced to disk: ${seconds(withoutAudit.ms)}, ` +
      `${(baseline.ms / withoutAudit.ms).toFixed(2)}x faster than with it (${seconds(baseline.ms)}) — the share of the audit trail)`,
  );
  // Concurrent rotations share each fsync (group commit): what the audit trail still costs at concurrency 16.
  const parallelWithoutAudit = await measure(16, ROUND_TRIP_MS, { fileAudit: false });
  const parallel = await measure(16, ROUND_TRIP_MS);
  lines.push(
    `  (+${ROUND_TRIP_MS} ms, concurrency 16, audit log in memory: ${seconds(parallelWithoutAudit.ms)}; with the fsynced, group-committed log: ` +
      `${seconds(parallel.ms)}, ${(parallel.ms / parallelWithoutAudit.ms).toFixed(2)}x the time)`,
  );
  // The speed-up the rest of the work allows: both sides with the audit log in memory.
  const serialWithoutAudit = await measure(1, ROUND_TRIP_MS, { fileAudit: false });
  lines.push(
    `  (+${ROUND_TRIP_MS} ms with the audit log in memory on both sides: concurrency 1 ${seconds(serialWithoutAudit.ms)}, concurrency 16 ${seconds(parallelWithoutAudit.ms)}, ` +
      `${(serialWithoutAudit.ms / parallelWithoutAudit.ms).toFixed(2)}x — what HTTP and the rest allow without the audit trail)`,
  );
  console.log(lines.join('\n'));
}, 600_000);
