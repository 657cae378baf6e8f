import { CreateAccessKeyCommand, DeleteAccessKeyCommand, GetAccessKeyLastUsedCommand, GetUserCommand, IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand, type AccessKeyMetadata } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { conflict, invalidInput, toPublicError } from '../../errors';
import { awsConnectionSchema, awsCredentialsSchema } from '../../secrets/connections/connection-schema';
import type { Credential, DriverDeps, RotationTarget, ServiceDriver } from '../driver';
import { probeTcp, runChecks } from '../driver-support';
import { iamFailure, isUnknownKey, type IamErrorContext } from './aws-iam-errors';
import { iamSigningRegion, type AwsIamSettings } from './aws-iam-settings';

/**
 * Rotation of an IAM user's access key (clients: @aws-sdk/client-iam and client-sts). A credential is
 * an access key: `user` is its access key id, `secret` its secret access key; the secret value holds
 * them as JSON `{"accessKeyId", "secretAccessKey"}` (value-codecs.ts).
 *
 *   set      ListAccessKeys; at two keys, delete the other one if it is Inactive, else refuse;
 *            CreateAccessKey — IAM makes the new key (`makesCredential`), and both keys work.
 *   test     sts:GetCallerIdentity signed by the new key, retried while IAM propagates it, and the
 *            answer must name the rotator's user.
 *   retire   UpdateAccessKey Inactive, then DeleteAccessKey, for the old key (after the grace period
 *            the person chose; at once in an incident).
 *   undo     DeleteAccessKey of the new key.
 *   refuses  sts:GetCallerIdentity signed by the old key fails with InvalidClientTokenId.
 *   discardUnrecorded  after a crash between CreateAccessKey and the journal: deletes the user's keys
 *            that are newer than the current one and were never used.
 *
 * Admin mode signs with a saved AWS connection's credentials (or the default chain); self mode signs
 * with the key being rotated (an IAM policy allowing iam:*AccessKey on ${aws:username}).
 */
type Target = RotationTarget<AwsIamSettings>;

export interface AwsIamDriverOptions {
  /** How long a new or retired key may take to be seen by STS: tries and the pause before each retry. */
  propagation?: { attempts: number; delayMs: (attempt: number) => number };
  /** Reads AWS_REGION and the default chain's variables (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** IAM says new keys are usually usable within seconds; about 40 s in all before giving up. */
const PROPAGATION = { attempts: 8, delayMs: (attempt: number) => Math.min(500 * 2 ** attempt, 8000) };

interface Signer {
  /** Absent: the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  profile?: string;
  /** For messages: "the admin credentials of connection prod-aws". */
  label: string;
  region: string;
}

interface Clients {
  iam: IAMClient;
  sts: STSClient;
}

export function createAwsIamDriver(deps: DriverDeps, options: AwsIamDriverOptions = {}): ServiceDriver<AwsIamSettings> {
  const log = deps.logger.child({ driver: 'aws-iam' });
  const env = options.env ?? process.env;
  const propagation = options.propagation ?? PROPAGATION;

  const defaultRegion = (settings: AwsIamSettings, connectionRegion?: string) => settings.region ?? connectionRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';

  /** The saved AWS connection the service names, parsed; undefined when it names none. */
  const savedConnection = async (target: Target) => {
    const { settings, name } = target.service;
    if (settings.connection === undefined) return undefined;
    if (deps.connection === undefined) throw invalidInput(`${name} signs with connection ${settings.connection}, but saved connections cannot be read here.`);
    const opened = await deps.connection(settings.connection);
    const connection = awsConnectionSchema.safeParse(opened.settings);
    if (!connection.success) throw invalidInput(`Connection ${settings.connection}, which ${name} signs with, is not an AWS connection.`);
    return { connection: connection.data, credentials: opened.credentials };
  };

  /** STS's region: the service's, else its connection's, else the environment's, else us-east-1 — the same for every key. */
  const regionOf = async (target: Target) => defaultRegion(target.service.settings, (await savedConnection(target))?.connection.region);

  /** The admin credentials: a saved AWS connection's, or the default chain. */
  const adminSigner = async (target: Target): Promise<Signer> => {
    const { settings } = target.service;
    const saved = await savedConnection(target);
    if (saved === undefined) return { label: 'the default AWS credentials', region: defaultRegion(settings) };
    const { connection } = saved;
    const label = `the credentials of connection ${settings.connection!}`;
    const region = defaultRegion(settings, connection.region);
    if (connection.credentials.source === 'default-chain') {
      return { label, region, ...(connection.credentials.profile === undefined ? {} : { profile: connection.credentials.profile }) };
    }
    const credentials = awsCredentialsSchema.safeParse(saved.credentials);
    if (!credentials.success) throw invalidInput(`Connection ${settings.connection!} has no access keys stored. Enter them in Connections (latchkey connections set-credentials ${settings.connection!} --stdin).`);
    return { label, region, credentials: credentials.data };
  };

  const keySigner = async (target: Target, key: Credential, label: string): Promise<Signer> => ({
    credentials: { accessKeyId: keyIdOf(key, target), secretAccessKey: key.secret },
    label: `${label} ${keyIdOf(key, target)}`,
    region: await regionOf(target),
  });

  /** Who manages the keys: the admin, or in self mode the key given (the current one, or the new one once it exists). */
  const manager = async (target: Target, selfKey: Credential, label: string): Promise<Signer> => (target.rotator.self ? keySigner(target, selfKey, label) : adminSigner(target));

  const clientsFor = (target: Target, signer: Signer): Clients => {
    const { settings } = target.service;
    const common = {
      ...(signer.credentials === undefined ? {} : { credentials: signer.credentials }),
      ...(signer.profile === undefined ? {} : { profile: signer.profile }),
    };
    return {
      // One attempt: the SDK would retry a CreateAccessKey whose answer was lost, making a second key
      // (or hitting the two-keys limit). A lost answer is handled by discardUnrecorded instead.
      iam: new IAMClient({ region: iamSigningRegion(signer.region), maxAttempts: 1, ...common, ...(settings.iamEndpoint === undefined ? {} : { endpoint: settings.iamEndpoint }) }),
      sts: new STSClient({ region: signer.region, ...common, ...(settings.stsEndpoint === undefined ? {} : { endpoint: settings.stsEndpoint }) }),
    };
  };

  /** Runs `work` with clients signed by `signer`, mapping AWS errors, and closes the clients. */
  const withClients = async <T>(target: Target, signer: Signer, action: string, work: (clients: Clients, abortSignal: AbortSignal | undefined) => Promise<T>): Promise<T> => {
    const clients = clientsFor(target, signer);
    const context: IamErrorContext = { service: target.service.name, signer: signer.label, action, ...(target.rotator.user === undefined ? {} : { user: target.rotator.user }) };
    try {
      return await work(clients, target.signal);
    } catch (error) {
      throw iamFailure(error, context);
    } finally {
      clients.iam.destroy();
      clients.sts.destroy();
    }
  };

  /** The UserName parameter: the rotator's user; in self mode without one, IAM's default (the signer's own user). */
  const userParameter = (target: Target): { UserName?: string } => {
    if (target.rotator.user !== undefined) return { UserName: target.rotator.user };
    if (target.rotator.self) return {};
    throw invalidInput(`The aws-iam rotator of ${target.context.ref} names no IAM user; attach it again with --user.`);
  };

  const listKeys = async (clients: Clients, target: Target, abortSignal: AbortSignal | undefined): Promise<AccessKeyMetadata[]> => {
    const keys: AccessKeyMetadata[] = [];
    let marker: string | undefined;
    do {
      const page = await clients.iam.send(new ListAccessKeysCommand({ ...userParameter(target), ...(marker === undefined ? {} : { Marker: marker }) }), { abortSignal });
      keys.push(...(page.AccessKeyMetadata ?? []));
      marker = page.IsTruncated === true ? page.Marker : undefined;
    } while (marker !== undefined);
    return keys;
  };

  /** Signs GetCallerIdentity with `key`: its ARN, or 'refused' when AWS does not accept the key. */
  const identityOf = async (target: Target, key: Credential, label: string): Promise<string | 'refused'> => {
    try {
      return await withClients(target, await keySigner(target, key, label), 'sts:GetCallerIdentity', async (clients, abortSignal) => {
        const identity = await clients.sts.send(new GetCallerIdentityCommand({}), { abortSignal });
        return identity.Arn ?? '';
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (toPublicError(error).kind === 'Unauthenticated' && isUnknownKey(cause)) return 'refused';
      throw error;
    }
  };

  /** Asks until `wanted` holds or the propagation budget is spent; returns the last answer. */
  const untilPropagated = async <T>(target: Target, ask: () => Promise<T>, wanted: (answer: T) => boolean): Promise<T> => {
    let answer = await ask();
    for (let attempt = 1; attempt < propagation.attempts && !wanted(answer); attempt += 1) {
      await pause(propagation.delayMs(attempt), target.signal);
      answer = await ask();
    }
    return answer;
  };

  const deleteKey = async (clients: Clients, target: Target, accessKeyId: string, abortSignal: AbortSignal | undefined): Promise<void> => {
    try {
      await clients.iam.send(new DeleteAccessKeyCommand({ ...userParameter(target), AccessKeyId: accessKeyId }), { abortSignal });
    } catch (error) {
      if (!isNoSuchEntity(error)) throw error;
    }
  };

  return {
    kind: 'aws-iam',
    strategies: ['dual'],
    selfMode: true,
    makesCredential: true,

    async check(target, current) {
      const { rotator, service } = target;
      const signerLabel = rotator.self ? 'the current access key' : service.settings.connection === undefined ? 'the default AWS credentials' : `the credentials of connection ${service.settings.connection}`;
      if (rotator.self && current === undefined) {
        // Nothing to sign with (a self-mode service tested on its own): reachability only.
        const endpoint = new URL(service.settings.stsEndpoint ?? `https://sts.${await regionOf(target)}.amazonaws.com`);
        const port = endpoint.port === '' ? (endpoint.protocol === 'https:' ? 443 : 80) : Number(endpoint.port);
        return runChecks([{ name: 'reachable', detail: `STS at ${endpoint.host} answers`, run: () => probeTcp(endpoint.hostname, port, 10_000, service.name) }]);
      }
      let signer: Signer | undefined;
      let identityError: unknown;
      let keys: AccessKeyMetadata[] = [];
      return runChecks([
        {
          name: 'reachable',
          detail: `STS answers (${service.name})`,
          run: async () => {
            try {
              signer = rotator.self ? await keySigner(target, current!, 'the current access key') : await adminSigner(target);
              await withClients(target, signer, 'sts:GetCallerIdentity', (clients, abortSignal) => clients.sts.send(new GetCallerIdentityCommand({}), { abortSignal }));
            } catch (error) {
              if (toPublicError(error).kind !== 'Unauthenticated') throw error;
              identityError = error;
            }
          },
        },
        {
          name: 'authenticated',
          detail: `${signerLabel} sign a call (sts:GetCallerIdentity)`,
          run: async () => {
            if (identityError !== undefined) throw identityError;
          },
        },
        ...(rotator.user === undefined && !rotator.self
          ? []
          : [
              {
                name: 'exists',
                detail: rotator.user === undefined ? 'the key’s own IAM user exists' : `IAM user ${rotator.user} exists`,
                run: async () => {
                  await withClients(target, signer!, 'iam:GetUser', (clients, abortSignal) => clients.iam.send(new GetUserCommand(userParameter(target)), { abortSignal }));
                },
              },
              {
                name: 'can change',
                detail: 'lists the user’s access keys, and there is room for a new one (CreateAccessKey itself is tried only in a rotation)',
                run: async () => {
                  keys = await withClients(target, signer!, 'iam:ListAccessKeys', (clients, abortSignal) => listKeys(clients, target, abortSignal));
                  if (current?.user !== undefined && !keys.some((key) => key.AccessKeyId === current.user)) throw notTheUsersKey(target, current.user);
                  const blocking = keys.filter((key) => key.AccessKeyId !== current?.user && key.Status === 'Active');
                  if (keys.length >= 2 && blocking.length > 0) throw atTwoKeys(target, blocking[0]!.AccessKeyId ?? '?');
                },
              },
            ]),
      ]);
    },

    async set(target, current) {
      const currentId = keyIdOf(current, target);
      const signer = await manager(target, current, 'the current access key');
      const created = await withClients(target, signer, 'iam:CreateAccessKey', async (clients, abortSignal) => {
        const keys = await listKeys(clients, target, abortSignal);
        if (!keys.some((key) => key.AccessKeyId === currentId)) throw notTheUsersKey(target, currentId);
        if (keys.length >= 2) {
          const other = keys.find((key) => key.AccessKeyId !== currentId)!;
          if (other.Status !== 'Inactive') throw atTwoKeys(target, other.AccessKeyId ?? '?');
          // An Inactive key is one nobody can use: removing it makes room, as the console suggests.
          await deleteKey(clients, target, other.AccessKeyId!, abortSignal);
          log.info('deleted an inactive access key to make room for the new one', { service: target.service.name, accessKeyId: other.AccessKeyId });
        }
        return (await clients.iam.send(new CreateAccessKeyCommand(userParameter(target)), { abortSignal })).AccessKey;
      });
      if (created?.AccessKeyId === undefined || created.SecretAccessKey === undefined) {
        throw invalidInput(`AWS IAM (${target.service.name}) created an access key but did not return it whole; find it with aws iam list-access-keys and delete it.`);
      }
      log.info('created a new access key', { service: target.service.name, accessKeyId: created.AccessKeyId });
      return { user: created.AccessKeyId, secret: created.SecretAccessKey };
    },

    async test(target, next) {
      const arn = await untilPropagated(target, () => identityOf(target, next, 'the new access key'), (answer) => answer !== 'refused');
      if (arn === 'refused') {
        throw iamFailure({ name: 'InvalidClientTokenId' }, { service: target.service.name, signer: `the new access key ${keyIdOf(next, target)} (after waiting for IAM to propagate it)` });
      }
      const user = target.rotator.user;
      if (user !== undefined && arn.split('/').at(-1) !== user) {
        throw conflict(`The new access key ${keyIdOf(next, target)} signs as ${arn}, not as IAM user ${user}.`);
      }
    },

    async retire(target, old, next) {
      const oldId = keyIdOf(old, target);
      if (oldId === keyIdOf(next, target)) return;
      const signer = await manager(target, next, 'the new access key');
      await withClients(target, signer, 'iam:UpdateAccessKey', async (clients, abortSignal) => {
        try {
          await clients.iam.send(new UpdateAccessKeyCommand({ ...userParameter(target), AccessKeyId: oldId, Status: 'Inactive' }), { abortSignal });
        } catch (error) {
          // Already deleted by an earlier retire: nothing left to do.
          if (isNoSuchEntity(error)) return;
          throw error;
        }
        await deleteKey(clients, target, oldId, abortSignal);
      });
      log.info('deactivated and deleted the old access key', { service: target.service.name, accessKeyId: oldId });
    },

    async undo(target, current, next) {
      const nextId = keyIdOf(next, target);
      if (nextId === keyIdOf(current, target)) return;
      const signer = await manager(target, current, 'the current access key');
      await withClients(target, signer, 'iam:DeleteAccessKey', (clients, abortSignal) => deleteKey(clients, target, nextId, abortSignal));
      log.info('deleted the new access key (undo)', { service: target.service.name, accessKeyId: nextId });
    },

    async refuses(target, old) {
      // A key just made Inactive may still be accepted for a few seconds while IAM propagates the change.
      return (await untilPropagated(target, () => identityOf(target, old, 'the old access key'), (answer) => answer === 'refused')) === 'refused';
    },

    async discardUnrecorded(target, current) {
      const currentId = keyIdOf(current, target);
      const signer = await manager(target, current, 'the current access key');
      await withClients(target, signer, 'iam:DeleteAccessKey', async (clients, abortSignal) => {
        const keys = await listKeys(clients, target, abortSignal);
        const mine = keys.find((key) => key.AccessKeyId === currentId);
        if (mine === undefined) throw notTheUsersKey(target, currentId);
        for (const key of keys) {
          if (key.AccessKeyId === currentId || key.AccessKeyId === undefined) continue;
          // Only a key made after the current one and never used can be the one a crashed `set` created.
          const newer = key.CreateDate !== undefined && mine.CreateDate !== undefined && key.CreateDate > mine.CreateDate;
          const lastUsed = await clients.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }), { abortSignal });
          if (!newer || lastUsed.AccessKeyLastUsed?.LastUsedDate !== undefined) continue;
          await deleteKey(clients, target, key.AccessKeyId, abortSignal);
          log.warn('deleted an access key an interrupted rotation had created', { service: target.service.name, accessKeyId: key.AccessKeyId });
        }
      });
    },
  };
}

function keyIdOf(credential: Credential, target: Target): string {
  if (credential.user === undefined || credential.user === '') {
    throw invalidInput(`The value of ${target.context.ref} holds no access key id; an aws-iam rotator needs JSON {"accessKeyId": …, "secretAccessKey": …}.`);
  }
  return credential.user;
}

function isNoSuchEntity(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchEntityException' || name === 'NoSuchEntity';
}

function notTheUsersKey(target: Target, accessKeyId: string) {
  return conflict(
    `The stored access key ${accessKeyId} is not one of ${target.rotator.user === undefined ? 'the IAM user' : `IAM user ${target.rotator.user}`}'s keys (aws iam list-access-keys). Store the key the user has, or attach the rotator to the right user.`,
  );
}

function atTwoKeys(target: Target, other: string) {
  const user = target.rotator.user ?? 'USER';
  return conflict(
    `IAM user ${user} already has two access keys, the most IAM allows, and the other one (${other}) is active. If nothing uses it, deactivate or delete it (aws iam update-access-key --user-name ${user} --access-key-id ${other} --status Inactive), then rotate again.`,
  );
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}
