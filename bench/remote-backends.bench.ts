import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../electron/core/log';
import { listAll, type SecretBackend } from '../electron/core/secrets/backend';
import { AwsBackend } from '../electron/core/secrets/backends/aws/aws-backend';
import { AzureBackend } from '../electron/core/secrets/backends/azure/azure-backend';
import { GcpBackend } from '../electron/core/secrets/backends/gcp/gcp-backend';
import { VaultBackend } from '../electron/core/secrets/backends/vault/vault-backend';
import { readMany } from '../electron/core/secrets/read-many';
import { FakeIssuerCredential } from '../test/doubles/azure-fake-issuer-credential';
import { AwsSecretsManagerFake } from '../test/fakes/aws-secrets-manager-fake';
import { AzureKeyVaultFake } from '../test/fakes/azure-key-vault-fake';
import { GcpSecretManagerFake } from '../test/fakes/gcp-secret-manager-fake';
import type { FakeServer } from '../test/fakes/http-fake';
import { VaultFake } from '../test/fakes/vault-fake';

/**
 * Listing and reading 1,000 secrets through each remote backend, through the real SDK against its
 * wire-level fake: one request at a time (serial) against a bounded number in flight (concurrent), in
 * the same run, printed as a ratio. Run twice: on bare loopback, where the ratio shows client-side
 * cost, and with a simulated network round trip added to every request by the fake, where it shows
 * what concurrency hides. Nothing here asserts on time.
 */
const COUNT = 1_000;
const CONCURRENCY = 16;
const ROUND_TRIP_MS = 3;

interface Subject {
  name: string;
  server: FakeServer;
  backend: SecretBackend;
  prefix: string;
  pageSize: number;
  close(): Promise<void>;
}

const logger = createLogger({ sink: () => undefined, level: 'error' });
const pad = (n: number) => String(n).padStart(4, '0');

async function subjects(): Promise<Subject[]> {
  const vault = await VaultFake.start();
  for (let i = 0; i < COUNT; i += 1) vault.seed(`bench/secret-${pad(i)}`, { value: `value-${i}` });
  const aws = await AwsSecretsManagerFake.start();
  for (let i = 0; i < COUNT; i += 1) aws.seed(`bench/secret-${pad(i)}`, JSON.stringify({ value: `value-${i}` }));
  const gcp = await GcpSecretManagerFake.start();
  for (let i = 0; i < COUNT; i += 1) gcp.seed(`bench-secret-${pad(i)}`, `value-${i}`);
  const azure = await AzureKeyVaultFake.start();
  for (let i = 0; i < COUNT; i += 1) azure.seed(`bench-secret-${pad(i)}`, `value-${i}`);
  const oauth = new OAuth2Client();
  oauth.setCredentials({ access_token: gcp.issueAccessToken(), expiry_date: Date.now() + 3_600_000 });
  return [
    { name: 'Vault (node-vault)', server: vault.server, backend: new VaultBackend({ address: vault.url, auth: { method: 'token', token: vault.createToken() }, logger }), prefix: 'bench/', pageSize: 100, close: () => vault.close() },
    {
      name: 'AWS (client-secrets-manager)',
      server: aws.server,
      backend: new AwsBackend({ region: aws.region, endpoint: aws.url, credentials: aws.addAccessKey(), logger }),
      prefix: 'bench/',
      pageSize: 100,
      close: () => aws.close(),
    },
    {
      name: 'Google (secret-manager, REST)',
      server: gcp.server,
      backend: new GcpBackend({ projectId: gcp.projectId, endpoint: `http://127.0.0.1:${gcp.port}`, credentials: { source: 'auth-client', client: oauth }, logger }),
      prefix: 'bench-',
      pageSize: 250,
      close: () => gcp.close(),
    },
    {
      name: 'Azure (keyvault-secrets)',
      server: azure.server,
      backend: new AzureBackend({ credential: new FakeIssuerCredential(azure), vaultUrl: azure.url, vaultName: 'bench-kv', disableChallengeResourceVerification: true, logger }),
      prefix: 'bench-kv/bench-',
      pageSize: 25,
      close: () => azure.close(),
    },
  ];
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

async function listPaths(subject: Subject): Promise<string[]> {
  const paths: string[] = [];
  for await (const item of listAll(subject.backend, subject.prefix, { pageSize: subject.pageSize })) paths.push(item.path);
  return paths;
}

async function readSerially(backend: SecretBackend, paths: string[]): Promise<number> {
  let read = 0;
  for (const path of paths) {
    await backend.get(path);
    read += 1;
  }
  return read;
}

async function readConcurrently(backend: SecretBackend, paths: string[]): Promise<number> {
  const outcomes = await readMany(backend, paths, { concurrency: CONCURRENCY });
  return outcomes.filter((outcome) => outcome.ok).length;
}

/** List and read, one page after another with one read at a time, against: reads of each page in parallel while the next page is fetched. */
async function listAndReadSerially(subject: Subject): Promise<number> {
  let read = 0;
  for await (const item of listAll(subject.backend, subject.prefix, { pageSize: subject.pageSize })) {
    await subject.backend.get(item.path);
    read += 1;
  }
  return read;
}

async function listAndReadPipelined(subject: Subject): Promise<number> {
  const pending: Promise<number>[] = [];
  let batch: string[] = [];
  for await (const item of listAll(subject.backend, subject.prefix, { pageSize: subject.pageSize })) {
    batch.push(item.path);
    if (batch.length === subject.pageSize) {
      pending.push(readConcurrently(subject.backend, batch));
      batch = [];
    }
  }
  pending.push(readConcurrently(subject.backend, batch));
  return (await Promise.all(pending)).reduce((sum, n) => sum + n, 0);
}

describe(`remote backends: listing and reading ${COUNT} secrets, serial vs ${CONCURRENCY} in flight`, () => {
  let all: Subject[];
  beforeAll(async () => {
    all = await subjects();
  });
  afterAll(async () => {
    await Promise.all(all.map(async (subject) => {
      await subject.backend.close?.();
      await subject.close();
    }));
  });

  for (const roundTripMs of [0, ROUND_TRIP_MS]) {
    it(`round trip +${roundTripMs} ms per request`, async () => {
      const rows: string[] = [];
      for (const subject of all) {
        subject.server.clearFaults();
        if (roundTripMs > 0) subject.server.inject({ kind: 'latency', ms: roundTripMs, times: Infinity });
        const listing = await timed(() => listPaths(subject));
        expect(listing.result).toHaveLength(COUNT);
        // Warm up (JIT, connection pools, tokens) so the first measured mode is not charged for it.
        await readConcurrently(subject.backend, listing.result.slice(0, 100));
        const serial = await timed(() => readSerially(subject.backend, listing.result));
        const concurrent = await timed(() => readConcurrently(subject.backend, listing.result));
        const listReadSerial = await timed(() => listAndReadSerially(subject));
        const listReadPipelined = await timed(() => listAndReadPipelined(subject));
        for (const count of [serial.result, concurrent.result, listReadSerial.result, listReadPipelined.result]) expect(count).toBe(COUNT);
        rows.push(
          `${subject.name.padEnd(31)} list ${listing.ms.toFixed(0).padStart(6)} ms | read serial ${serial.ms.toFixed(0).padStart(6)} ms, concurrent ${concurrent.ms.toFixed(0).padStart(5)} ms, ` +
            `ratio ${(serial.ms / concurrent.ms).toFixed(1).padStart(4)}x | list+read serial ${listReadSerial.ms.toFixed(0).padStart(6)} ms, pipelined ${listReadPipelined.ms.toFixed(0).padStart(5)} ms, ` +
            `ratio ${(listReadSerial.ms / listReadPipelined.ms).toFixed(1).padStart(4)}x`,
        );
        subject.server.clearFaults();
      }
      console.log(`\n${COUNT} secrets, ${CONCURRENCY} in flight, +${roundTripMs} ms per request (fake-added latency):\n${rows.join('\n')}\n`);
    });
  }
});
