import { readFile } from 'node:fs/promises';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { notFound } from '../../errors';
import type { Credential } from '../driver';
import { aclFailure } from './redis-acl-errors';
import type { RedisServiceSettings } from './redis-acl-driver';

/**
 * The Redis servers an ACL change must reach. ACL users are per server: Redis replicates neither ACL
 * SETUSER to replicas nor across a Cluster, so a password is changed on every node — every master and
 * replica of a Cluster (CLUSTER NODES), or a server and its replicas (INFO replication).
 */
export interface RedisNode {
  host: string;
  port: number;
  /** host:port, for messages. */
  name: string;
  role: 'master' | 'replica';
}

export type Who = 'admin' | 'self' | 'login';

export interface NodeAccess {
  service: string;
  settings: RedisServiceSettings;
}

/** One connection to one node, authenticated as `credential`; closed by the caller. */
export async function connectNode(access: NodeAccess, node: Pick<RedisNode, 'host' | 'port' | 'name'>, credential: Credential, who: Who): Promise<Redis> {
  const { settings } = access;
  const client = new Redis({
    host: node.host,
    port: node.port,
    ...(credential.user === undefined ? {} : { username: credential.user }),
    password: credential.secret,
    lazyConnect: true,
    connectTimeout: settings.connectTimeoutSeconds * 1000,
    commandTimeout: settings.commandTimeoutSeconds * 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectionName: 'latchkey-rotator',
    ...(await tlsOf(settings)),
  });
  let lastError: unknown;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    // ioredis reports a refused AUTH as "Connection is closed"; the real reason came as an error event.
    throw aclFailure(/Connection is closed/.test(String((error as Error).message)) && lastError !== undefined ? lastError : error, access.service, node.name, { who, user: credential.user });
  }
}

/** Runs `work` on a fresh connection to `node`, mapping failures to what a person can act on. */
export async function onNode<T>(access: NodeAccess, node: Pick<RedisNode, 'host' | 'port' | 'name'>, credential: Credential, who: Who, work: (client: Redis) => Promise<T>, user?: string): Promise<T> {
  const client = await connectNode(access, node, credential, who);
  try {
    return await work(client);
  } catch (error) {
    throw aclFailure(error, access.service, node.name, { who, user: user ?? credential.user });
  } finally {
    client.disconnect();
  }
}

/** The seed server of the service (its URL). */
export function seedOf(settings: RedisServiceSettings): RedisNode {
  const url = new URL(settings.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 6379 : Number(url.port);
  return { host, port, name: `${host}:${port}`, role: 'master' };
}

/**
 * Every node the change must reach, found from the seed: a Cluster's nodes (masters and replicas), or a
 * server with its replicas (a replica given as seed leads to its master first).
 */
export async function discoverNodes(access: NodeAccess, credential: Credential, who: Who): Promise<RedisNode[]> {
  const found = await discoverFromSeed(access, credential, who);
  const named = (access.settings.nodes ?? []).map((node): RedisNode => ({ ...node, name: `${node.host}:${node.port}`, role: 'replica' }));
  return [...found, ...named.filter((node) => !found.some((other) => other.name === node.name))];
}

async function discoverFromSeed(access: NodeAccess, credential: Credential, who: Who): Promise<RedisNode[]> {
  const seed = seedOf(access.settings);
  return onNode(access, seed, credential, who, async (client) => {
    const cluster = String(await client.info('cluster'));
    if (/cluster_enabled:1/.test(cluster)) return parseClusterNodes(String(await client.call('CLUSTER', 'NODES')), seed.host);
    const replication = parseReplication(String(await client.info('replication')), seed);
    if (replication.master === undefined) return [seed, ...replication.replicas];
    const master = replication.master;
    return onNode(access, master, credential, who, async (masterClient) => [master, ...parseReplication(String(await masterClient.info('replication')), master).replicas]);
  });
}

/** `<id> <ip:port@cport[,hostname]> <flags> …` per line; nodes without an address are skipped. */
export function parseClusterNodes(text: string, fallbackHost: string): RedisNode[] {
  const nodes: RedisNode[] = [];
  for (const line of text.split('\n')) {
    const [, address, flags] = line.trim().split(' ');
    if (address === undefined || flags === undefined || /noaddr|handshake/.test(flags)) continue;
    const endpoint = address.split('@')[0] ?? '';
    const at = endpoint.lastIndexOf(':');
    const host = endpoint.slice(0, at) || fallbackHost;
    const port = Number(endpoint.slice(at + 1));
    if (!Number.isInteger(port) || port <= 0) continue;
    nodes.push({ host, port, name: `${host}:${port}`, role: /(^|,)master(,|$)/.test(flags) ? 'master' : 'replica' });
  }
  if (nodes.length === 0) throw notFound('The cluster reported no nodes with an address.');
  return nodes;
}

function parseReplication(text: string, self: RedisNode): { master?: RedisNode; replicas: RedisNode[] } {
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
  if (field('role') === 'slave') {
    const host = field('master_host');
    const port = Number(field('master_port'));
    if (host !== undefined && Number.isInteger(port)) return { master: { host, port, name: `${host}:${port}`, role: 'master' }, replicas: [] };
    return { replicas: [] };
  }
  const replicas: RedisNode[] = [];
  for (const match of text.matchAll(/^slave\d+:(.*)$/gm)) {
    const fields = new Map((match[1] ?? '').split(',').map((pair) => pair.split('=') as [string, string]));
    const host = fields.get('ip') ?? self.host;
    const port = Number(fields.get('port'));
    if (Number.isInteger(port) && port > 0) replicas.push({ host, port, name: `${host}:${port}`, role: 'replica' });
  }
  return { replicas };
}

async function tlsOf(settings: RedisServiceSettings): Promise<{ tls?: TlsOptions }> {
  if (!settings.url.startsWith('rediss://') && settings.tls === undefined) return {};
  const tls: TlsOptions = {};
  if (settings.tls?.caFile !== undefined) tls.ca = await readFile(settings.tls.caFile);
  if (settings.tls?.certFile !== undefined) tls.cert = await readFile(settings.tls.certFile);
  if (settings.tls?.keyFile !== undefined) tls.key = await readFile(settings.tls.keyFile);
  if (settings.tls?.serverName !== undefined) tls.servername = settings.tls.serverName;
  return { tls };
}
