import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLatchkeyError } from '../../../electron/core/errors';
import { createAwsIamDriver } from '../../../electron/core/services/aws-iam/aws-iam-driver';
import { awsIamSettingsSchema, type AwsIamSettings } from '../../../electron/core/services/aws-iam/aws-iam-settings';
import type { Credential, RotationTarget, RotatorSettings } from '../../../electron/core/services/driver';
import { AwsIamFake } from '../../fakes/aws-iam-fake';
import { captureLogger } from '../../harness/log-capture';

/**
 * The aws-iam driver through the real @aws-sdk/client-iam and client-sts against the wire-level IAM +
 * STS fake: the fake checks every signature, so it knows which key signed which call, and refuses keys
 * that are Inactive or deleted as AWS does. Admin mode signs with a saved AWS connection's keys, self
 * mode with the key being rotated.
 */
let fake: AwsIamFake;
const { logger, lines } = captureLogger();
const connections = new Map<string, { settings: unknown; credentials?: unknown }>();
const driver = createAwsIamDriver(
  { logger, connection: async (name) => connections.get(name) ?? Promise.reject(new Error(`no connection ${name}`)) },
  { propagation: { attempts: 4, delayMs: () => 10 }, env: {} },
);
const secrets: string[] = [];
let admin: { accessKeyId: string; secretAccessKey: string };

const asCredential = (key: { accessKeyId: string; secretAccessKey: string }): Credential => {
  secrets.push(key.secretAccessKey);
  return { user: key.accessKeyId, secret: key.secretAccessKey };
};

/** Admin mode signs with connection prod-aws, whose region (eu-west-1, the fake's) is also where STS is asked. */
function target(rotator: Partial<RotatorSettings>, settings: Partial<AwsIamSettings> = {}): RotationTarget<AwsIamSettings> {
  return {
    service: { name: 'iam-test', kind: 'aws-iam', settings: awsIamSettingsSchema.parse({ connection: 'prod-aws', iamEndpoint: fake.url, stsEndpoint: fake.url, ...settings }) },
    rotator: { strategy: 'dual', self: false, graceSeconds: 0, ...rotator },
    context: { ref: 'file://shop/prod/AWS_KEY', project: 'shop', environment: 'prod', phase: 'set', incident: false },
  };
}

async function failure(work: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await work;
  } catch (error) {
    if (!isLatchkeyError(error)) throw error;
    for (const secret of secrets) expect(error.message).not.toContain(secret);
    return { kind: error.kind, message: error.message };
  }
  throw new Error('expected a failure');
}

const signerOf = (action: string) => fake.calls.filter((call) => call.action === action).at(-1)?.accessKeyId;

beforeAll(async () => {
  fake = await AwsIamFake.start();
  fake.addUser('latchkey-admin', 'admin');
  admin = fake.addKey('latchkey-admin');
  secrets.push(admin.secretAccessKey);
  connections.set('prod-aws', { settings: { kind: 'aws', region: 'eu-west-1', credentials: { source: 'access-keys' } }, credentials: admin });
});

afterAll(async () => {
  // No secret access key in the driver's log lines or in anything the fake received outside the signature.
  for (const secret of secrets) {
    expect(lines.join('\n')).not.toContain(secret);
    expect(fake.server.traces().join('\n')).not.toContain(secret);
  }
  await fake.close();
});

describe('aws-iam driver against the wire-level IAM + STS fake (real AWS SDK clients)', () => {
  it('admin mode: creates the new key, proves it with GetCallerIdentity, then deactivates and deletes the old one', async () => {
    fake.addUser('shop-app');
    const old = asCredential(fake.addKey('shop-app'));
    const rotation = target({ user: 'shop-app' });
    expect((await driver.check(rotation, old)).map((step) => `${step.name}:${step.outcome}`)).toEqual(['reachable:passed', 'authenticated:passed', 'exists:passed', 'can change:passed']);

    const next = await driver.set(rotation, old, { secret: 'ignored: IAM makes the key' });
    secrets.push(next.secret);
    expect(next.user).toMatch(/^AKIA/);
    expect(signerOf('CreateAccessKey')).toBe(admin.accessKeyId);
    expect(fake.keysOf('shop-app').map((key) => [key.accessKeyId, key.status])).toEqual([
      [old.user, 'Active'],
      [next.user, 'Active'],
    ]);

    await driver.test(rotation, next);
    expect(signerOf('GetCallerIdentity')).toBe(next.user);

    await driver.retire(rotation, old, next);
    await driver.retire(rotation, old, next);
    expect(fake.keysOf('shop-app').map((key) => key.accessKeyId)).toEqual([next.user]);
    expect(fake.calls.filter((call) => call.action === 'UpdateAccessKey' && call.ok)).toHaveLength(1);
    expect(await driver.refuses(rotation, old)).toBe(true);
    expect(await driver.refuses(rotation, next)).toBe(false);
  });

  it('self mode: the key rotates itself (a "self" IAM policy); the new key retires the old one', async () => {
    fake.addUser('shop-self', 'self');
    const old = asCredential(fake.addKey('shop-self'));
    // Without a connection, STS's region is the service's own.
    const rotation = target({ user: 'shop-self', self: true }, { connection: undefined, region: fake.region });
    expect((await driver.check(rotation, old)).every((step) => step.outcome === 'passed')).toBe(true);
    const next = await driver.set(rotation, old, { secret: 'x' });
    secrets.push(next.secret);
    expect(signerOf('CreateAccessKey')).toBe(old.user);
    await driver.test(rotation, next);
    await driver.retire(rotation, old, next);
    expect(signerOf('DeleteAccessKey')).toBe(next.user);
    expect(fake.keysOf('shop-self').map((key) => key.accessKeyId)).toEqual([next.user]);
  });

  it('undo deletes the new key and leaves the old one the only key, working', async () => {
    fake.addUser('shop-undo');
    const old = asCredential(fake.addKey('shop-undo'));
    const rotation = target({ user: 'shop-undo' });
    const next = await driver.set(rotation, old, { secret: 'x' });
    secrets.push(next.secret);
    await driver.undo(rotation, old, next);
    await driver.undo(rotation, old, next);
    expect(fake.keysOf('shop-undo').map((key) => key.accessKeyId)).toEqual([old.user]);
    expect(await driver.refuses(rotation, old)).toBe(false);
  });

  it('a user already at two keys: an Inactive other key makes room; an active one is refused, naming it, with nothing changed', async () => {
    fake.addUser('shop-two');
    const old = asCredential(fake.addKey('shop-two'));
    const inactive = fake.addKey('shop-two', 'Inactive');
    const rotation = target({ user: 'shop-two' });
    const next = await driver.set(rotation, old, { secret: 'x' });
    secrets.push(next.secret);
    expect(fake.key(inactive.accessKeyId)).toBeUndefined();
    expect(fake.keysOf('shop-two').map((key) => key.accessKeyId)).toEqual([old.user, next.user]);

    const steps = await driver.check(rotation, old);
    expect(steps.at(-1)).toMatchObject({ name: 'can change', outcome: 'failed', error: { kind: 'Conflict', message: expect.stringContaining(next.user!) } });
    const refused = await failure(driver.set(rotation, old, { secret: 'x' }));
    expect(refused).toMatchObject({ kind: 'Conflict', message: expect.stringContaining(`--access-key-id ${next.user!} --status Inactive`) });
    expect(fake.keysOf('shop-two')).toHaveLength(2);
  });

  it('waits while IAM propagates a new key to STS, and says so when it never does', async () => {
    fake.addUser('shop-slow');
    const old = asCredential(fake.addKey('shop-slow'));
    const rotation = target({ user: 'shop-slow' });
    fake.propagationCalls = 3;
    try {
      const next = await driver.set(rotation, old, { secret: 'x' });
      secrets.push(next.secret);
      await driver.test(rotation, next);
      await driver.undo(rotation, old, next);
      fake.propagationCalls = 10;
      const slow = await driver.set(rotation, old, { secret: 'x' });
      secrets.push(slow.secret);
      expect(await failure(driver.test(rotation, slow))).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('after waiting for IAM to propagate it') });
    } finally {
      fake.propagationCalls = 0;
    }
  });

  it('a crash or a lost answer after CreateAccessKey leaves no orphan: discardUnrecorded finds and deletes the key nothing recorded', async () => {
    fake.addUser('shop-crash');
    const old = asCredential(fake.addKey('shop-crash'));
    const rotation = target({ user: 'shop-crash' });
    // IAM creates the key but its answer never arrives: set fails without knowing the key.
    fake.inject({ kind: 'lost-response', match: (request) => request.text().includes('Action=CreateAccessKey') });
    expect(await failure(driver.set(rotation, old, { secret: 'x' }))).toMatchObject({ kind: 'BackendUnavailable' });
    expect(fake.keysOf('shop-crash')).toHaveLength(2);
    secrets.push(fake.keysOf('shop-crash')[1]!.secretAccessKey);

    await driver.discardUnrecorded!(rotation, old);
    expect(fake.keysOf('shop-crash').map((key) => key.accessKeyId)).toEqual([old.user]);

    // A newer key that has been used is someone's: it stays.
    const used = fake.addKey('shop-crash');
    await driver.test(target({ user: 'shop-crash' }), { user: used.accessKeyId, secret: used.secretAccessKey });
    await driver.discardUnrecorded!(rotation, old);
    expect(fake.keysOf('shop-crash').map((key) => key.accessKeyId)).toEqual([old.user, used.accessKeyId]);
  });

  it('bad input and faults: wrong admin keys, no permission, no such user, a key not the user’s, IAM unreachable', async () => {
    fake.addUser('shop-faults');
    const old = asCredential(fake.addKey('shop-faults'));
    const rotation = target({ user: 'shop-faults' });

    connections.set('wrong-keys', { settings: { kind: 'aws', region: 'eu-west-1', credentials: { source: 'access-keys' } }, credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: 'wrong-secret-key-000000000000000000000000' } });
    const wrong = target({ user: 'shop-faults' }, { connection: 'wrong-keys' });
    expect((await driver.check(wrong, old)).map((step) => `${step.name}:${step.outcome}`)).toEqual(['reachable:passed', 'authenticated:failed', 'exists:skipped', 'can change:skipped']);
    expect(await failure(driver.set(wrong, old, { secret: 'x' }))).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('connection wrong-keys') });

    fake.addUser('reader');
    connections.set('no-rights', { settings: { kind: 'aws', region: 'eu-west-1', credentials: { source: 'access-keys' } }, credentials: fake.addKey('reader') });
    expect(await failure(driver.set(target({ user: 'shop-faults' }, { connection: 'no-rights' }), old, { secret: 'x' }))).toMatchObject({
      kind: 'PermissionDenied',
      message: expect.stringContaining('iam:CreateAccessKey'),
    });

    expect(await failure(driver.set(target({ user: 'shop-nobody' }), old, { secret: 'x' }))).toMatchObject({ kind: 'NotFound', message: expect.stringContaining('shop-nobody') });
    const stranger = asCredential(fake.addKey('reader'));
    expect(await failure(driver.set(rotation, stranger, { secret: 'x' }))).toMatchObject({ kind: 'Conflict', message: expect.stringContaining('is not one of IAM user shop-faults') });
    expect(await failure(driver.set(rotation, { secret: 'no key id' }, { secret: 'x' }))).toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('accessKeyId') });

    const down = target({ user: 'shop-faults' }, { iamEndpoint: 'http://127.0.0.1:9', stsEndpoint: 'http://127.0.0.1:9' });
    expect(await failure(driver.set(down, old, { secret: 'x' }))).toMatchObject({ kind: 'BackendUnavailable' });
    expect(await failure(driver.refuses(down, old))).toMatchObject({ kind: 'BackendUnavailable' });
    expect((await driver.check(down, old))[0]).toMatchObject({ name: 'reachable', outcome: 'failed', error: { kind: 'BackendUnavailable' } });
    expect(fake.keysOf('shop-faults')).toHaveLength(1);
  });
});
