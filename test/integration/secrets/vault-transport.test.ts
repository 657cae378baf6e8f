import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VaultBackend, type VaultBackendOptions } from '../../../electron/core/secrets/backends/vault/vault-backend';
import { createVaultTransport } from '../../../electron/core/secrets/backends/vault/vault-transport';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { VaultFake } from '../../fakes/vault-fake';
import { captureLogger } from '../../harness/log-capture';
import { createTestCertificates, opensslAvailable } from '../../harness/tls';

// Latchkey's HTTP transport under node-vault (vault-transport.ts), through the real VaultBackend and
// node-vault against the wire-level Vault fake and small node:http servers standing in for a standby
// node, a proxy and a misbehaving server.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler, tls?: { key: string; cert: string }): Promise<{ server: Server; url: string; connections: () => number }> {
  const server = tls === undefined ? createServer(handler) : createHttpsServer(tls, handler);
  let connections = 0;
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`, connections: () => connections };
}

const closeAll = (server: Server) => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
};

/** A standby node: answers every request with a redirect to `target` (+ the request's path). */
function standby(target: () => string, status = 307): Handler {
  return (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { location: `${target()}${req.url ?? '/'}` });
      res.end();
    });
  };
}

describe('Vault transport: connections, redirects, answers (node-vault over node:http against the wire-level fake)', () => {
  let fake: VaultFake;
  const servers: Server[] = [];
  const vault = (options: Partial<VaultBackendOptions> & Pick<VaultBackendOptions, 'auth'>) =>
    new VaultBackend({ address: fake.url, logger: captureLogger().logger, retry: FAST_RETRY, ...options });

  beforeAll(async () => {
    fake = await VaultFake.start();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(closeAll));
  });
  afterAll(() => fake.close());

  it('keeps one connection alive for a run of requests, and close() ends it', async () => {
    const backend = vault({ auth: { method: 'token', token: fake.createToken() } });
    await backend.set('kept', 'v0');
    const before = fake.server.connections;
    for (let index = 1; index <= 20; index += 1) {
      await backend.set('kept', `v${index}`);
      expect((await backend.get('kept')).value).toBe(`v${index}`);
    }
    // 20 writes and 20 reads (and the reads before each check-and-set write) over the connection already open.
    expect(fake.server.connections - before).toBe(0);
    await backend.close();
    expect((await backend.get('kept')).value).toBe('v20');
    expect(fake.server.connections - before).toBe(1);
  });

  it('closes a connection left idle (one a firewall dropped is never reused), while a slow answer on a busy one still arrives', async () => {
    const slow = await listen((req, res) => {
      req.resume();
      setTimeout(() => res.end(JSON.stringify({ data: { ok: true } })), 300);
    });
    servers.push(slow.server);
    const transport = createVaultTransport({ rejectUnauthorized: true }, { idleMs: 100 });
    try {
      const get = () => transport.send({ method: 'GET', uri: `${slow.url}/v1/sys/x`, timeout: 5_000 });
      expect(await get()).toMatchObject({ statusCode: 200, body: { data: { ok: true } } });
      expect(slow.connections()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 250));
      await get();
      expect(slow.connections()).toBe(2);
    } finally {
      transport.close();
    }
  });

  it("follows a standby node's 307 to the active node with the method, the body and the token", async () => {
    const node = await listen(standby(() => fake.url));
    servers.push(node.server);
    const token = fake.createToken();
    const backend = new VaultBackend({ address: node.url, auth: { method: 'token', token }, logger: captureLogger().logger, retry: FAST_RETRY });
    const writes = () => fake.server.countRequests((request) => request.method === 'POST' && request.url.endsWith('/data/redirected'));
    await backend.set('redirected', 'through-the-standby');
    expect(writes()).toBe(1);
    expect(fake.stored('redirected')).toEqual({ value: 'through-the-standby' });
    expect((await backend.get('redirected')).value).toBe('through-the-standby');
  });

  it('does not follow a redirect loop, nor a 302 (which would turn a write into a read)', async () => {
    const loop: { url?: string } = {};
    const looping = await listen(standby(() => loop.url!));
    loop.url = looping.url;
    const moved = await listen(standby(() => fake.url, 302));
    servers.push(looping.server, moved.server);
    const token = fake.createToken();
    const at = (url: string) => new VaultBackend({ address: url, auth: { method: 'token', token }, logger: captureLogger().logger, retry: FAST_RETRY });
    await expect(at(looping.url).get('x')).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('more than 3 redirects') });
    await expect(at(moved.url).set('moved', 'v')).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('HTTP 302') });
    expect(fake.server.countRequests((request) => request.url.endsWith('/data/moved'))).toBe(0);
  });

  it('abandons an answer larger than 32 MiB with a message that says what happened', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let served = 0;
    const huge = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      const more = () => {
        while (served < 40 && !res.destroyed) {
          served += 1;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    servers.push(huge.server);
    const backend = new VaultBackend({ address: huge.url, auth: { method: 'token', token: 't' }, logger: captureLogger().logger, retry: { ...FAST_RETRY, attempts: 1 } });
    await expect(backend.get('x')).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('more than 32 MiB') });
    expect(served).toBeLessThan(40);
  });

  it('gives up on an answer whose body stalls, within the timeout, and retries it', async () => {
    let requests = 0;
    const stalling = await listen((req, res) => {
      requests += 1;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":'); // and never more
    });
    servers.push(stalling.server);
    const backend = new VaultBackend({ address: stalling.url, auth: { method: 'token', token: 't' }, logger: captureLogger().logger, retry: { ...FAST_RETRY, attempts: 2, timeoutMs: 150 } });
    await expect(backend.get('x')).rejects.toMatchObject({ kind: 'BackendUnavailable' });
    expect(requests).toBe(2);
  });

  it('never routes through a proxy from the environment (HTTP_PROXY), which nobody configured for this connection', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    const proxy = await listen((req, res) => {
      req.resume();
      res.writeHead(502);
      res.end();
    });
    servers.push(proxy.server);
    try {
      process.env.HTTP_PROXY = proxy.url;
      process.env.http_proxy = proxy.url;
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      const backend = vault({ auth: { method: 'token', token: fake.createToken() } });
      await backend.set('direct', 'v');
      expect((await backend.get('direct')).value).toBe('v');
      expect(proxy.connections()).toBe(0);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

if (!opensslAvailable()) console.warn('[skipped] Vault transport https → http redirect test: the openssl command is missing, so no test certificates can be made.');
describe.skipIf(!opensslAvailable())('Vault transport over TLS (wire-level fake)', () => {
  it('refuses a redirect from https to http, so the token never travels in clear text', async () => {
    const fake = await VaultFake.start();
    const certificates = await createTestCertificates();
    const node = await listen(standby(() => fake.url), { key: certificates.keyPem, cert: certificates.certPem });
    try {
      const token = fake.createToken();
      const backend = new VaultBackend({ address: node.url, auth: { method: 'token', token }, tls: { ca: certificates.caPem }, logger: captureLogger().logger, retry: FAST_RETRY });
      const error = await backend.set('downgraded', 'v').then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('from https to http') });
      expect(JSON.stringify(error)).not.toContain(token);
      expect(String((error as Error).stack)).not.toContain(token);
      expect(fake.server.countRequests()).toBe(0);
    } finally {
      await closeAll(node.server);
      await fake.close();
    }
  });
});
