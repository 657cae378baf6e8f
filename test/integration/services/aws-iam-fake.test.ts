import { CreateAccessKeyCommand, DeleteAccessKeyCommand, GetUserCommand, IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsIamFake } from '../../fakes/aws-iam-fake';

/**
 * The IAM and STS wire-level fake itself, driven by the real @aws-sdk/client-iam and client-sts: what
 * the rotation driver relies on (who signed, the two-keys limit, inactive and deleted keys refused,
 * errors as the SDK's typed exceptions) must behave as AWS documents it, or the driver's tests prove
 * nothing.
 */
let fake: AwsIamFake;
type Key = { accessKeyId: string; secretAccessKey: string };
const iam = (credentials: Key) => new IAMClient({ region: 'us-east-1', endpoint: fake.url, credentials, maxAttempts: 1 });
const sts = (credentials: Key) => new STSClient({ region: fake.region, endpoint: fake.url, credentials, maxAttempts: 1 });

beforeAll(async () => {
  fake = await AwsIamFake.start();
  fake.addUser('admin', 'admin');
  fake.addUser('app', 'self');
  fake.addUser('other', 'none');
});
afterAll(() => fake.close());

describe('IAM and STS wire-level fake, through the real AWS SDK clients', () => {
  it('knows which key signed a call: GetCallerIdentity names its user, and the call is recorded with the key', async () => {
    const key = fake.addKey('app');
    const identity = await sts(key).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Arn: 'arn:aws:iam::123456789012:user/app', Account: '123456789012' });
    expect(fake.calls.at(-1)).toMatchObject({ api: 'sts', action: 'GetCallerIdentity', accessKeyId: key.accessKeyId, ok: true });
  });

  it('creates, lists, deactivates and deletes keys; at most two per user (LimitExceeded)', async () => {
    const admin = iam(fake.addKey('admin'));
    fake.addUser('limits', 'none');
    const first = (await admin.send(new CreateAccessKeyCommand({ UserName: 'limits' }))).AccessKey!;
    expect(first).toMatchObject({ UserName: 'limits', Status: 'Active' });
    expect(first.SecretAccessKey).toMatch(/.{40}/);
    await admin.send(new CreateAccessKeyCommand({ UserName: 'limits' }));
    await expect(admin.send(new CreateAccessKeyCommand({ UserName: 'limits' }))).rejects.toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 409 } });

    await admin.send(new UpdateAccessKeyCommand({ UserName: 'limits', AccessKeyId: first.AccessKeyId!, Status: 'Inactive' }));
    const listed = await admin.send(new ListAccessKeysCommand({ UserName: 'limits' }));
    expect(listed.AccessKeyMetadata?.map((key) => key.Status)).toEqual(['Inactive', 'Active']);
    expect(listed.IsTruncated).toBe(false);
    await admin.send(new DeleteAccessKeyCommand({ UserName: 'limits', AccessKeyId: first.AccessKeyId! }));
    expect(fake.keysOf('limits')).toHaveLength(1);
    await expect(admin.send(new DeleteAccessKeyCommand({ UserName: 'limits', AccessKeyId: first.AccessKeyId! }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('refuses a key that is Inactive or deleted with InvalidClientTokenId, and a wrong secret with SignatureDoesNotMatch', async () => {
    const key = fake.addKey('app');
    const admin = iam(fake.addKey('admin'));
    await admin.send(new UpdateAccessKeyCommand({ UserName: 'app', AccessKeyId: key.accessKeyId, Status: 'Inactive' }));
    await expect(sts(key).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
    await admin.send(new UpdateAccessKeyCommand({ UserName: 'app', AccessKeyId: key.accessKeyId, Status: 'Active' }));
    await expect(sts(key).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: expect.stringContaining('user/app') });
    await admin.send(new DeleteAccessKeyCommand({ UserName: 'app', AccessKeyId: key.accessKeyId }));
    await expect(iam(key).send(new ListAccessKeysCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    await expect(sts({ ...fake.addKey('other'), secretAccessKey: 'wrong-secret-0000000000000000000000000000' }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
  });

  it('lets a "self" user manage only its own keys, and names a missing user NoSuchEntity', async () => {
    const own = iam(fake.addKey('app'));
    expect((await own.send(new ListAccessKeysCommand({}))).AccessKeyMetadata?.every((key) => key.UserName === 'app')).toBe(true);
    await expect(own.send(new GetUserCommand({}))).resolves.toMatchObject({ User: { UserName: 'app', Arn: 'arn:aws:iam::123456789012:user/app' } });
    await expect(own.send(new CreateAccessKeyCommand({ UserName: 'admin' }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(iam(fake.addKey('admin')).send(new GetUserCommand({ UserName: 'nobody' }))).rejects.toMatchObject({ name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } });
  });

  it('refuses a new key at STS for its first calls while it propagates, then accepts it', async () => {
    fake.propagationCalls = 2;
    try {
      const created = (await iam(fake.addKey('admin')).send(new CreateAccessKeyCommand({ UserName: 'other' }))).AccessKey!;
      const key = { accessKeyId: created.AccessKeyId!, secretAccessKey: created.SecretAccessKey! };
      await expect(sts(key).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
      await expect(sts(key).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
      await expect(sts(key).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: expect.stringContaining('user/other') });
    } finally {
      fake.propagationCalls = 0;
    }
  });

  it('renders injected faults as IAM does: ServiceFailure 500, Throttling', async () => {
    const admin = iam(fake.addKey('admin'));
    fake.inject({ kind: 'server-error' });
    await expect(admin.send(new ListAccessKeysCommand({}))).rejects.toMatchObject({ name: 'ServiceFailureException', $metadata: { httpStatusCode: 500 } });
    fake.inject({ kind: 'throttle' });
    await expect(admin.send(new ListAccessKeysCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
  });
});
