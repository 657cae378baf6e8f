import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { LatchkeyError, toPublicError, unauthenticated } from '../../errors';
import type { Credential, DriverDeps, RotationTarget, ServiceDriver, ServiceKindDefinition } from '../driver';
import { adminOf, probeTcp, requireUser, runChecks } from '../driver-support';
import { aclFailure, missingUser } from './redis-acl-errors';
import { connectNode, discoverNodes, onNode, seedOf, type NodeAccess, type RedisNode, type Who } from './redis-nodes';

/**
 * Redis ACL users: a password changed with `ACL SETUSER <user> #<sha256>` — the hash form, so the
 * plaintext reaches the server only in the AUTH of the test step (which Redis redacts from MONITOR and
 * SLOWLOG). Redis keeps several passwords per user, so rotation is natively zero-downtime (strategy
 * `dual`): `set` adds the new one, `retire` removes the old one (`!<sha256>`). Every node gets the
 * change (ACL users are per server: every master and replica of a Cluster, a server and its replicas),
 * and `ACL SAVE` follows where the server keeps an ACL file. A node that does not take the change fails
 * the step, naming it, and the nodes that took it are put back.
 */
const redisUrl = z
  .string()
  .max(2048)
  .refine((text) => /^rediss?:\/\/[^/]/.test(text), 'must start with redis:// or rediss://')
  .refine((text) => {
    try {
      return new URL(text).password === '';
    } catch {
      return false;
    }
  }, 'must be a URL without a password (the admin password lives in the keychain)');

export const redisServiceSettingsSchema = z.strictObject({
  /** redis[s]://[admin-user@]host:port of one server (a Cluster node, or a master): the others are found from it. */
  url: redisUrl,
  tls: z
    .strictObject({
      caFile: z.string().min(1).max(4096).optional(),
      certFile: z.string().min(1).max(4096).optional(),
      keyFile: z.string().min(1).max(4096).optional(),
      serverName: z.string().min(1).max(253).optional(),
    })
    .optional(),
  /**
   * Servers to change besides those found from `url`: a replica that is disconnected from its master
   * when a rotation runs is not in the master's list, and one named here is then reported, not missed.
   */
  nodes: z.array(z.strictObject({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) })).max(64).optional(),
  connectTimeoutSeconds: z.number().int().min(1).max(120).default(5),
  commandTimeoutSeconds: z.number().int().min(1).max(300).default(10),
});
export type RedisServiceSettings = z.infer<typeof redisServiceSettingsSchema>;
type Target = RotationTarget<RedisServiceSettings>;

export const redisKind: ServiceKindDefinition<RedisServiceSettings> = {
  kind: 'redis',
  settingsSchema: redisServiceSettingsSchema,
  fromUrl(url) {
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new TypeError('Redis URLs start with redis:// or rediss://');
    const password = decodeURIComponent(url.password);
    const user = url.username === '' ? 'default' : decodeURIComponent(url.username);
    const address = `${url.protocol}//${url.username === '' ? '' : `${url.username}@`}${url.host}`;
    return { settings: redisServiceSettingsSchema.parse({ url: address }), ...(password === '' ? {} : { admin: { user, secret: password } }) };
  },
  describe: (settings) => {
    const url = new URL(settings.url);
    return `${url.host}${url.username === '' ? '' : ` as ${decodeURIComponent(url.username)}`}${url.protocol === 'rediss:' ? ' (TLS)' : ''}`;
  },
  createDriver: (deps) => createRedisAclDriver(deps),
};

const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
const MISSING_PASSWORD = /password you are trying to remove from the user does not exist/i;
const NO_ACL_FILE = /not configured to use an ACL file/i;

export function createRedisAclDriver(deps: DriverDeps): ServiceDriver<RedisServiceSettings> {
  const log = deps.logger.child({ component: 'services.redis' });
  /** The nodes last found per service: where a self-mode credential can no longer discover them (after retire). */
  const known = new Map<string, RedisNode[]>();

  const access = (target: Target): NodeAccess => ({ service: target.service.name, settings: target.service.settings });
  const actor = (target: Target, self: Credential): { credential: Credential; who: Who } =>
    target.rotator.self ? { credential: self, who: 'self' } : { credential: adminOf(target), who: 'admin' };

  const nodesOf = async (target: Target, credential: Credential, who: Who): Promise<RedisNode[]> => {
    const nodes = await discoverNodes(access(target), credential, who);
    known.set(target.service.name, nodes);
    return nodes;
  };

  /** ACL SAVE where the server keeps users in an ACL file, so a restart keeps the change. */
  const save = async (client: Redis) => {
    try {
      await client.call('ACL', 'SAVE');
    } catch (error) {
      if (!NO_ACL_FILE.test(String((error as Error).message))) throw error;
    }
  };

  /** Applies an ACL SETUSER modifier on every node; collects the nodes that did not take it. */
  const onEvery = async (target: Target, nodes: RedisNode[], credential: Credential, who: Who, user: string, modifier: string) => {
    const done: RedisNode[] = [];
    const failed: { node: RedisNode; error: LatchkeyError }[] = [];
    await Promise.all(
      nodes.map(async (node) => {
        try {
          await onNode(
            access(target),
            node,
            credential,
            who,
            async (client) => {
              try {
                await client.call('ACL', 'SETUSER', user, modifier);
              } catch (error) {
                // Removing a password the node does not have is the state wanted already.
                if (!(modifier.startsWith('!') && MISSING_PASSWORD.test(String((error as Error).message)))) throw error;
              }
              await save(client);
            },
            user,
          );
          done.push(node);
        } catch (error) {
          failed.push({ node, error: error as LatchkeyError });
        }
      }),
    );
    return { done, failed };
  };

  const nodeList = (failed: { node: RedisNode }[]) => failed.map(({ node }) => `${node.name} (${node.role})`).join(', ');

  return {
    kind: 'redis',
    strategies: ['dual'],
    selfMode: true,
    makesCredential: false,

    async check(target, current) {
      const { rotator, service } = target;
      const seed = seedOf(service.settings);
      const as = rotator.self ? current : service.admin === undefined ? undefined : adminOf(target);
      const who: Who = rotator.self ? 'self' : 'admin';
      const reachable = { name: 'reachable', detail: `${service.name} (${seed.name}) answers`, run: () => probeTcp(seed.host, seed.port, service.settings.connectTimeoutSeconds * 1000, service.name) };
      if (as === undefined) return runChecks([reachable]);
      let nodes: RedisNode[] = [];
      const user = rotator.user;
      return runChecks([
        reachable,
        {
          name: 'authenticated',
          detail: rotator.self ? `logs in as ${as.user ?? 'default'} with the current value` : `logs in as the admin user ${as.user ?? 'default'}`,
          run: async () => {
            (await connectNode(access(target), seed, as, who)).disconnect();
          },
        },
        {
          name: 'nodes',
          detail: 'finds every server the change must reach (Cluster nodes, replicas)',
          run: async () => {
            nodes = await nodesOf(target, as, who);
          },
        },
        ...(user === undefined
          ? []
          : [
              {
                name: 'exists',
                detail: `ACL user ${user} exists on every node`,
                run: async () => {
                  if (rotator.self) return; // it logged in as itself
                  await Promise.all(nodes.map((node) => onNode(access(target), node, as, who, async (client) => assertUser(client, target, node, user), user)));
                },
              },
              {
                // ACL DRYRUN asks each node whether the actor may run the change, without running it.
                name: 'can change',
                detail: `${rotator.self ? 'may change its own password' : `may change the password of ${user}`} on every node (ACL DRYRUN)`,
                run: async () => {
                  await Promise.all(
                    nodes.map((node) =>
                      onNode(
                        access(target),
                        node,
                        as,
                        who,
                        async (client) => {
                          const answer = String(await client.call('ACL', 'DRYRUN', as.user ?? 'default', 'ACL', 'SETUSER', user, `#${'0'.repeat(64)}`));
                          if (answer !== 'OK') throw aclFailure(new Error('NOPERM'), service.name, node.name, { who, user });
                        },
                        user,
                      ),
                    ),
                  );
                },
              },
            ]),
      ]);
    },

    async set(target, current, proposed) {
      const user = requireUser(proposed, target, 'ACL user');
      const { credential, who } = actor(target, current);
      const nodes = await nodesOf(target, credential, who);
      // Every node has the user before any changes: ACL SETUSER would create a missing one.
      await Promise.all(nodes.map((node) => onNode(access(target), node, credential, who, (client) => assertUser(client, target, node, user), user)));
      const { done, failed } = await onEvery(target, nodes, credential, who, user, `#${sha256(proposed.secret)}`);
      if (failed.length > 0) {
        // Take the new password back where it landed, so the old one is again the only one everywhere.
        const back = await onEvery(target, done, credential, who, user, `!${sha256(proposed.secret)}`);
        const first = failed[0]!.error;
        const refused = back.failed.length === 0 && failed.every(({ error }) => ['Unauthenticated', 'PermissionDenied', 'NotFound'].includes(error.kind));
        throw new LatchkeyError(
          refused ? first.kind : 'BackendUnavailable',
          `${target.service.name}: the new password did not reach ${nodeList(failed)} (${toPublicError(first).message.replace(/\.$/, '')})` +
            (back.failed.length === 0 ? '; it was taken back from the other nodes, so the old password is the only one everywhere.' : `; taking it back also failed on ${nodeList(back.failed)}.`),
          { cause: first },
        );
      }
      log.debug('acl password added', { service: target.service.name, nodes: nodes.length });
      return { user, secret: proposed.secret };
    },

    async test(target, next) {
      const { credential, who } = actor(target, next);
      const nodes = await nodesOf(target, credential, who);
      const failed: { node: RedisNode; error: LatchkeyError }[] = [];
      await Promise.all(
        nodes.map(async (node) => {
          try {
            await onNode(access(target), node, next, 'login', async (client) => {
              await client.ping();
            });
          } catch (error) {
            failed.push({ node, error: error as LatchkeyError });
          }
        }),
      );
      if (failed.length === 0) return;
      const wrong = failed.filter(({ error }) => error.kind === 'Unauthenticated');
      if (wrong.length > 0) throw unauthenticated(`${target.service.name}: the new password of ${next.user ?? 'the user'} does not log in on ${nodeList(wrong)}; that node did not get the change.`);
      throw failed[0]!.error;
    },

    async retire(target, old, next) {
      const user = requireUser(old, target, 'ACL user');
      if (sha256(old.secret) === sha256(next.secret)) return;
      const { credential, who } = actor(target, next);
      const nodes = await nodesOf(target, credential, who);
      const { failed } = await onEvery(target, nodes, credential, who, user, `!${sha256(old.secret)}`);
      if (failed.length > 0) throw new LatchkeyError(failed[0]!.error.kind, `${target.service.name}: the old password could not be removed on ${nodeList(failed)} (${toPublicError(failed[0]!.error).message.replace(/\.$/, '')}).`, { cause: failed[0]!.error });
    },

    async undo(target, current, next) {
      const user = requireUser(next, target, 'ACL user');
      const { credential, who } = actor(target, current);
      const nodes = await nodesOf(target, credential, who);
      const { failed } = await onEvery(target, nodes, credential, who, user, `!${sha256(next.secret)}`);
      if (failed.length > 0) throw new LatchkeyError(failed[0]!.error.kind, `${target.service.name}: the new password could not be removed on ${nodeList(failed)} (${toPublicError(failed[0]!.error).message.replace(/\.$/, '')}).`, { cause: failed[0]!.error });
    },

    async refuses(target, old) {
      const nodes = target.service.admin !== undefined && !target.rotator.self ? await nodesOf(target, adminOf(target), 'admin') : (known.get(target.service.name) ?? [seedOf(target.service.settings)]);
      for (const node of nodes) {
        try {
          (await connectNode(access(target), node, old, 'login')).disconnect();
          return false;
        } catch (error) {
          if (toPublicError(error).kind !== 'Unauthenticated') throw error;
        }
      }
      return true;
    },
  };
}

async function assertUser(client: Redis, target: Target, node: RedisNode, user: string): Promise<void> {
  const found = await client.call('ACL', 'GETUSER', user);
  if (found === null) throw missingUser(target.service.name, node.name, user);
}

