import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE, createAuditLog, type AuditLog } from '../../../electron/core/audit/audit-log';
import { environmentOverBackend, type EnvironmentView } from '../../../electron/core/environments/environment-view';
import { pinnedTo } from '../../../electron/core/environments/resolve-backend';
import { FileLocks } from '../../../electron/core/fs/locks';
import { resumeIncident, runIncident, type IncidentDeps, type IncidentProgress } from '../../../electron/core/rotation/incident';
import { createIncidentReportStore } from '../../../electron/core/rotation/incident-store';
import { restoreVersion, rollbackSecret } from '../../../electron/core/rotation/rollback-secret';
import { rotateSecret, type RotationDeps } from '../../../electron/core/rotation/rotate-secret';
import type { SecretBackend } from '../../../electron/core/secrets/backend';
import { AwsBackend } from '../../../electron/core/secrets/backends/aws/aws-backend';
import { VaultBackend } from '../../../electron/core/secrets/backends/vault/vault-backend';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { FAST_RETRY } from '../../fakes/fast-retry';
import type { FakeRequest } from '../../fakes/http-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { ORIGIN_METADATA_KEY, ORIGINS_FILE } from '../../../electron/core/rotation/origin-records';
import { ROTATION_METADATA_KEY } from '../../../electron/core/rotation/policy';
import { captureLogger } from '../../harness/log-capture';
import { createTestOrigins } from '../../harness/origins';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// Rotation, rollback, restore and incident mode on the real Vault and AWS clients (node-vault's HTTP
// shape, @aws-sdk/client-secrets-manager) against the wire-level fakes, with failures injected at the
// HTTP level; the audit log and incident reports are real files.

const CANARY = `remote-canary-${randomBytes(4).toString('hex')}`;
const SECRETS = 24;
const keyOf = (index: number) => `KEY_${String(index).padStart(2, '0')}`;

interface Remote {
  name: string;
  backend: SecretBackend;
  /** A request that writes a new value of `key` (where failures are injected). */
  isWriteOf(key: string): (request: FakeRequest) => boolean;
  inject(match: (request: FakeRequest) => boolean): void;
  clearFaults(): void;
}

let xdg: TempXdg;
let audit: AuditLog;
let logs: ReturnType<typeof captureLogger>;
beforeEach(async () => {
  xdg = await createTempXdg();
  audit = createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), user: 'oncall' });
  logs = captureLogger();
});
afterEach(() => xdg.cleanup());

const noValuesWritten = async () => {
  const written = [await readFile(join(xdg.paths.stateDir, AUDIT_FILE), 'utf8'), ...logs.lines].join('\n');
  expect(written).not.toContain(CANARY);
};

/** The same behaviour, whichever remote backend holds the environment. */
function rotationSuite(open: () => Promise<Remote>, options: { stagesOf?: (path: string) => Record<string, string[]> } = {}) {
  let remote: Remote;
  let prod: EnvironmentView;
  let deps: RotationDeps;
  beforeEach(async () => {
    remote = await open();
    const prefix = `shop-${randomBytes(3).toString('hex')}/prod/`;
    // Each with a generator policy the person chose (the rule of what rotation may generate).
    for (let index = 0; index < SECRETS; index += 1) await remote.backend.set(`${prefix}${keyOf(index)}`, `${CANARY}-${index}`, { metadata: { [ROTATION_METADATA_KEY]: 'password-32' } });
    prod = environmentOverBackend({ project: 'shop', name: 'prod', protected: true, backend: remote.backend, prefix });
    deps = { resolveBackend: pinnedTo(remote.backend), audit, logger: logs.logger, origins: createTestOrigins(xdg.paths.stateDir) };
  });
  afterEach(() => remote.clearFaults());

  const current = async (key: string) => (await prod.backend.get(prod.refFor(key).replace(/^[a-z]+:\/\//, ''))).value;

  it('rotates, rolls back and restores a chosen version; the history keeps every value', async () => {
    const ref = prod.refFor('KEY_00');
    const path = ref.replace(/^[a-z]+:\/\//, '');
    const rotated = await rotateSecret(deps, ref, { project: 'shop', environment: 'prod' });
    expect(rotated).toMatchObject({ ok: true, state: 'rotated' });
    const newValue = await current('KEY_00');
    expect(newValue).not.toBe(`${CANARY}-0`);
    expect(newValue).toHaveLength(32);
    expect((await remote.backend.describe(path)).versions.length).toBeGreaterThanOrEqual(2);
    if (options.stagesOf !== undefined) {
      // AWS: the new value went through AWSPENDING; afterwards only AWSCURRENT and AWSPREVIOUS remain.
      expect(Object.values(options.stagesOf(path)).flat().sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    }

    const rolledBack = await rollbackSecret(deps, ref, { project: 'shop', environment: 'prod' });
    expect(rolledBack).toMatchObject({ ok: true, restoredFrom: rotated.previousVersion });
    expect(await current('KEY_00')).toBe(`${CANARY}-0`);

    const restored = await restoreVersion(deps, ref, rotated.version as string, { project: 'shop', environment: 'prod' });
    expect(restored).toMatchObject({ ok: true, restoredFrom: rotated.version });
    expect(await current('KEY_00')).toBe(newValue);
    if (options.stagesOf !== undefined) {
      // AWS rolls back and restores by moving labels: no new version was written for either.
      expect(Object.keys(options.stagesOf(path))).toHaveLength(2);
      expect(restored.version).toBe(rotated.version);
    }
    const actions = (await audit.query({ outcomes: ['ok'] })).map((entry) => entry.action);
    expect(actions).toEqual(['secret.rotate', 'secret.rollback', 'secret.restore']);
    await noValuesWritten();
  });

  it('a typed-in value is left for a person; once Latchkey generated one, the next needs no policy (origin: metadata on Vault, the state folder for staged AWS writes)', async () => {
    const ref = prod.refFor('TYPED');
    const path = ref.replace(/^[a-z]+:\/\//, '');
    await remote.backend.set(path, `${CANARY}-typed`);
    expect(await rotateSecret(deps, ref)).toMatchObject({ ok: false, state: 'unchanged', rule: { class: 'by-hand' } });
    expect(await current('TYPED')).toBe(`${CANARY}-typed`);
    expect((await remote.backend.describe(path)).versions).toHaveLength(1);

    expect(await rotateSecret(deps, ref, { policy: { generator: 'hex', length: 40 } })).toMatchObject({ ok: true, rule: { class: 'generate' } });
    const generated = await current('TYPED');
    expect(generated).toMatch(/^[0-9a-f]{40}$/);
    const origins = await readFile(join(xdg.paths.stateDir, ORIGINS_FILE), 'utf8').catch(() => '');
    if (options.stagesOf === undefined) {
      expect((await remote.backend.describe(path)).metadata).toMatchObject({ [ROTATION_METADATA_KEY]: 'hex-40', [ORIGIN_METADATA_KEY]: expect.stringMatching(/^g1-[0-9a-f]{16}$/) });
      expect(origins).toBe('');
    } else {
      expect(JSON.parse(origins)).toEqual({ v: 1, records: { [ref]: expect.stringMatching(/^g1-[0-9a-f]{16}$/) } });
    }
    expect(origins).not.toContain(generated);
    expect(await rotateSecret(deps, ref)).toMatchObject({ ok: true, rule: { class: 'generate' } });
    expect(await current('TYPED')).not.toBe(generated);
    await noValuesWritten();
  });

  it('a write the backend refuses leaves the current value in place and says so', async () => {
    remote.inject(remote.isWriteOf('KEY_01'));
    const result = await rotateSecret(deps, prod.refFor('KEY_01'));
    expect(result).toMatchObject({ ok: false, state: 'unchanged', error: { kind: 'PermissionDenied', message: expect.stringContaining('The current value was left in place') } });
    expect(await current('KEY_01')).toBe(`${CANARY}-1`);
    await noValuesWritten();
  });

  it(`incident over ${SECRETS} secrets with three refused writes: partial, then the re-run rotates exactly those three`, async () => {
    const failing = ['KEY_03', 'KEY_11', 'KEY_20'];
    for (const key of failing) remote.inject(remote.isWriteOf(key));
    const incidentDeps: IncidentDeps = { ...deps, reports: createIncidentReportStore(xdg.paths.stateDir), user: 'oncall', openEnvironment: async () => prod };
    const first = await runIncident(incidentDeps, { environments: [prod] }, { confirmation: { typedNames: ['prod'] }, concurrency: 6 });
    expect(first.report.status).toBe('partial');
    expect(first.report.counts).toMatchObject({ total: SECRETS, rotated: SECRETS - 3, failed: 3 });
    const failed = first.report.items.filter((item) => item.status === 'failed');
    expect(failed.map((item) => item.key)).toEqual(failing);
    for (const item of failed) expect(item).toMatchObject({ state: 'unchanged', error: { kind: 'PermissionDenied' } });
    for (const key of failing) expect(await current(key)).toBe(`${CANARY}-${Number(key.slice(4))}`);

    remote.clearFaults();
    const rotatedBefore = new Map<string, string>();
    for (let index = 0; index < SECRETS; index += 1) rotatedBefore.set(keyOf(index), await current(keyOf(index)));
    const second = await resumeIncident(incidentDeps, first.report.id, { confirmation: { typedNames: ['prod'] } });
    expect(second.report.status).toBe('completed');
    for (let index = 0; index < SECRETS; index += 1) {
      const key = keyOf(index);
      const now = await current(key);
      expect(now).not.toBe(`${CANARY}-${index}`);
      // Items rotated by the first run were left alone by the second.
      if (failing.includes(key)) expect(now).not.toBe(rotatedBefore.get(key));
      else expect(now).toBe(rotatedBefore.get(key));
    }
    await noValuesWritten();
  });
}

describe('rotation on Vault KV v2 (node-vault against the wire-level fake)', () => {
  let fake: VaultFake;
  beforeAll(async () => {
    fake = await VaultFake.start({ maxVersions: 20 });
  });
  afterAll(() => fake.close());

  rotationSuite(async () => ({
    name: 'vault',
    backend: new VaultBackend({ address: fake.url, auth: { method: 'token', token: fake.createToken() }, logger: logs.logger, retry: FAST_RETRY }),
    isWriteOf: (key) => (request) => request.method === 'POST' && request.url.pathname.includes('/data/') && request.url.pathname.endsWith(`/prod/${key}`),
    inject: (match) => fake.inject({ kind: 'permission-denied', times: Infinity, match }),
    clearFaults: () => fake.server.clearFaults(),
  }));

  it('an incident writes against the version its inspection read (4 requests a secret); one changed after inspection is judged again, never overwritten blind', async () => {
    const backend = new VaultBackend({ address: fake.url, auth: { method: 'token', token: fake.createToken() }, logger: logs.logger, retry: FAST_RETRY });
    const prefix = `reuse-${randomBytes(3).toString('hex')}/prod/`;
    const keys = ['KEY_00', 'KEY_01', 'KEY_02', 'KEY_03'];
    for (const [index, key] of keys.entries()) await backend.set(`${prefix}${key}`, `${CANARY}-${index}`, { metadata: { [ROTATION_METADATA_KEY]: 'password-32' } });
    const prod = environmentOverBackend({ project: 'shop', name: 'prod', backend, prefix });
    const deps: IncidentDeps = { resolveBackend: pinnedTo(backend), audit, logger: logs.logger, reports: createIncidentReportStore(xdg.paths.stateDir), user: 'oncall' };
    const requestsOf = (key: string) => fake.server.countRequests((request) => request.url.endsWith(`/prod/${key}`));
    const before = new Map(keys.map((key) => [key, requestsOf(key)]));

    // After the inspection, before any rotation: another writer stores a new generated-policy value in
    // KEY_01 and makes KEY_02 a by-hand secret.
    const others = { generated: `${CANARY}-other-writer`, typed: `${CANARY}-typed-by-a-person` };
    const onProgress = (progress: IncidentProgress) => {
      if (progress.phase !== 'sessions') return;
      fake.seed(`${prefix}KEY_01`, { value: others.generated, metadata: { [ROTATION_METADATA_KEY]: 'password-32' } });
      fake.seed(`${prefix}KEY_02`, { value: others.typed, metadata: { [ROTATION_METADATA_KEY]: 'manual' } });
    };
    const { report } = await runIncident(deps, { environments: [prod] }, { confirmation: { assumeYes: true }, concurrency: 1, onProgress });

    const item = (key: string) => report.items.find((candidate) => candidate.key === key);
    const get = (key: string, version?: string) => backend.get(`${prefix}${key}`, version === undefined ? undefined : { version });
    // Unchanged secrets: metadata + data read once (inspection), the check-and-set write, the read back.
    for (const key of ['KEY_00', 'KEY_03']) {
      expect(item(key)).toMatchObject({ status: 'rotated', previous_version: '1', version: '2' });
      expect(requestsOf(key) - (before.get(key) ?? 0)).toBe(4);
    }
    // KEY_01: the write against version 1 was refused; read again (version 2, the other writer's) and rotated over it.
    expect(item('KEY_01')).toMatchObject({ status: 'rotated', previous_version: '2', version: '3' });
    expect((await get('KEY_01', '2')).value).toBe(others.generated);
    expect((await get('KEY_01')).value).not.toBe(others.generated);
    // KEY_02: judged again as it is now (by hand): the person's value is left in place.
    expect(item('KEY_02')).toMatchObject({ status: 'by-hand' });
    expect(await get('KEY_02')).toMatchObject({ value: others.typed, version: '2' });
    await noValuesWritten();
  });
});

describe('rotation on AWS Secrets Manager with staging labels (@aws-sdk against the wire-level fake)', () => {
  let fake: AwsSecretsManagerFake;
  const opened: AwsBackend[] = [];
  beforeAll(async () => {
    fake = await AwsSecretsManagerFake.start();
  });
  afterAll(async () => {
    await Promise.all(opened.map((backend) => backend.close()));
    await fake.close();
  });

  const secretIdOf = (request: FakeRequest) => {
    try {
      return String((request.json() as { SecretId?: unknown }).SecretId ?? '');
    } catch {
      return '';
    }
  };
  rotationSuite(
    async () => {
      const backend = new AwsBackend({ region: fake.region, endpoint: fake.url, credentials: fake.addAccessKey(), logger: logs.logger, retry: FAST_RETRY });
      opened.push(backend);
      return {
        name: 'aws',
        backend,
        isWriteOf: (key) => (request) => request.header('x-amz-target') === 'secretsmanager.PutSecretValue' && secretIdOf(request).endsWith(`/prod/${key}`),
        inject: (match) => fake.inject({ kind: 'permission-denied', times: Infinity, match }),
        clearFaults: () => fake.server.clearFaults(),
      };
    },
    { stagesOf: (path) => fake.stagesOf(path) },
  );

  it('a promote that fails leaves AWSCURRENT on the old value, and the staged value never becomes current', async () => {
    const backend = new AwsBackend({ region: fake.region, endpoint: fake.url, credentials: fake.addAccessKey(), logger: logs.logger, retry: FAST_RETRY });
    opened.push(backend);
    const path = `shop-${randomBytes(3).toString('hex')}/prod/PROMOTE_FAILS`;
    const first = await backend.set(path, `${CANARY}-before`, { metadata: { [ROTATION_METADATA_KEY]: 'password-32' } });
    fake.inject({ kind: 'permission-denied', times: Infinity, match: (request) => request.header('x-amz-target') === 'secretsmanager.UpdateSecretVersionStage' });
    try {
      const result = await rotateSecret({ resolveBackend: pinnedTo(backend), audit, logger: logs.logger }, `aws://${path}`);
      expect(result.ok).toBe(false);
      expect(['unchanged', 'restored']).toContain(result.state);
      expect((await backend.get(path)).value).toBe(`${CANARY}-before`);
      expect(fake.stagesOf(path)[first.version as string]).toContain('AWSCURRENT');
    } finally {
      fake.server.clearFaults();
    }
  });
});
