import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../electron/core';
import { createLogger } from '../electron/core/log';
import { VaultFake } from '../test/fakes/vault-fake';
import { describeWithKeyring, realKeychain } from '../test/harness/keyring';
import { forgetStoreKey } from '../test/harness/store-key';
import { createTempXdg, type TempXdg } from '../test/harness/temp-xdg';

/**
 * `latchkey run` with 1,000 secrets: the time from starting `latchkey run … -- env` to the first byte
 * `env` writes (its first instruction, give or take one write), against `env` started directly, and
 * against `latchkey --version` (what starting the CLI costs before any secret is read). Reads in
 * parallel (--concurrency 16, the default) against one at a time (--concurrency 1), on the local store
 * (real files, the keyring) and on the Vault fake, bare and with a simulated 3 ms round trip per
 * request. Each figure is the median of a few runs in this process; ratios compare figures of the same
 * run. Nothing here asserts on time. Run it with the keyring (scripts/with-keyring.sh npm run bench)
 * for the local-store rows.
 */
const COUNT = 1_000;
const RUNS = 5;
const ROUND_TRIP_MS = 3;
const BIN = fileURLToPath(new URL('../bin/latchkey.js', import.meta.url));

/** Milliseconds from spawning `command` to the first byte on its standard output, and its exit code. */
function timeToFirstOutput(command: string, args: string[], env: Record<string, string>): Promise<{ ms: number; code: number | null; firstLines: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let first: number | undefined;
    let output = '';
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      first ??= performance.now();
      if (output.length < 4096) output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (output.length < 4096) output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: (first ?? performance.now()) - started, code, firstLines: output.slice(0, 300) }));
  });
}

async function median(label: string, work: () => Promise<{ ms: number; code: number | null; firstLines: string }>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const result = await work();
    if (result.code !== 0) throw new Error(`${label} failed (exit ${result.code}): ${result.firstLines}`);
    times.push(result.ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const pad = (n: number) => String(n).padStart(4, '0');
const row = (label: string, ms: number, baseline: number) => `${label.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / baseline).toFixed(1).padStart(7)}× env`;

describe(`latchkey run: ${COUNT} secrets to the program's first instruction (medians of ${RUNS} runs)`, () => {
  let xdg: TempXdg;
  let core: Core;
  let vault: VaultFake;
  let env: Record<string, string>;
  let baseline: number;
  let startup: number;
  const lines: string[] = [];

  beforeAll(async () => {
    [xdg, vault] = await Promise.all([createTempXdg(), VaultFake.start()]);
    env = { ...xdg.env, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.createToken(), LATCHKEY_SECRETS_LAYOUT: 'native' };
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: createLogger({ sink: () => undefined, level: 'error' }), env });
    for (let index = 0; index < COUNT; index += 1) vault.seed(`bench/run/SECRET_${pad(index)}`, { value: `value-${index}-${'v'.repeat(24)}` });
    const envFile = Array.from({ length: COUNT }, (_, index) => `SECRET_${pad(index)}=vault://bench/run/SECRET_${pad(index)}`);
    await writeFile(join(xdg.root, 'vault.env'), `${envFile.join('\n')}\n`);
    baseline = await median('env', () => timeToFirstOutput('env', [], env));
    startup = await median('latchkey --version', () => timeToFirstOutput(process.execPath, [BIN, '--version'], env));
  });
  afterAll(async () => {
    console.log(
      [
        '',
        `latchkey run with ${COUNT} secrets — time to the program's first output, median of ${RUNS}:`,
        row('env, started directly (baseline)', baseline, baseline),
        row('latchkey --version (starting the CLI, no secrets)', startup, baseline),
        ...lines,
        '',
      ].join('\n'),
    );
    await core.close();
    await vault.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir).catch(() => undefined);
    await xdg.cleanup();
  });

  for (const roundTripMs of [0, ROUND_TRIP_MS]) {
    it(`Vault fake (references in an env file), +${roundTripMs} ms per request: 16 in flight vs 1`, async () => {
      vault.server.clearFaults();
      if (roundTripMs > 0) vault.inject({ kind: 'latency', ms: roundTripMs, times: Infinity });
      const measure = (concurrency: number) => median(`vault c=${concurrency}`, () => timeToFirstOutput(process.execPath, [BIN, 'run', '-f', join(xdg.root, 'vault.env'), '--concurrency', String(concurrency), '--', 'env'], env));
      const parallel = await measure(16);
      const serial = await measure(1);
      vault.server.clearFaults();
      lines.push(row(`Vault +${roundTripMs} ms, 16 reads in flight`, parallel, baseline), row(`Vault +${roundTripMs} ms, 1 read at a time`, serial, baseline), `${''.padEnd(52)} parallel is ${(serial / parallel).toFixed(1)}× faster`);
      expect(parallel).toBeGreaterThan(0);
    });
  }

  describeWithKeyring('the local store (real files, the keyring)', () => {
    it('16 in flight vs 1', { timeout: 20 * 60_000 }, async () => {
      for (let index = 0; index < COUNT; index += 1) await core.refs.set(`file://bench/dev/SECRET_${pad(index)}`, `value-${index}-${'f'.repeat(24)}`);
      const measure = (concurrency: number) =>
        median(`file c=${concurrency}`, () => timeToFirstOutput(process.execPath, [BIN, 'run', '--project', 'bench', '--env', 'dev', '--concurrency', String(concurrency), '--', 'env'], env));
      const parallel = await measure(16);
      const serial = await measure(1);
      lines.push(row('local store, 16 reads in flight', parallel, baseline), row('local store, 1 read at a time', serial, baseline), `${''.padEnd(52)} parallel is ${(serial / parallel).toFixed(1)}× faster`);
      expect(parallel).toBeGreaterThan(0);
    });
  });
});
