import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPublicError } from '../../../electron/core/errors';
import { listAll, type SecretBackend } from '../../../electron/core/secrets/backend';

/**
 * The behaviour every SecretBackend shares, run against each one (real env object, real keyring, the
 * lead's file store, and the remote backends through their real SDKs against wire-level fakes).
 *
 * To add a backend: backendContractSuite('name', async () => ({ backend, pathFor: (key) => `p/dev/${key}` })).
 */
export interface ContractSubject {
  backend: SecretBackend;
  /** Where the backend keeps the secret `key` (letters and digits only are used). Defaults to backend.pathForKey. */
  pathFor?: (key: string) => string;
  /** Log lines the backend wrote, for the canary checks. */
  logLines?: () => string[];
  /** Request lines and headers the remote side received, for the canary checks. */
  requestTraces?: () => string[];
  cleanup?: () => Promise<void>;
}

type Failure = { kind?: string; message?: string };

async function failureOf(promise: Promise<unknown>): Promise<Failure & { error: unknown }> {
  try {
    await promise;
  } catch (error) {
    return { ...(error as Failure), error };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A string of exactly `bytes` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters. */
export function valueOfBytes(bytes: number): string {
  const unit = 'aé€🔑'; // 1 + 2 + 3 + 4 bytes
  const whole = Math.floor(bytes / 10);
  return unit.repeat(whole) + 'x'.repeat(bytes - whole * 10);
}

const UNICODE_VALUE = 'päss wörd ✓ 🔑 日本語 עברית e\u0301 "double" \'single\' \\back\\slash $HOME #hash\nsecond line\ttab';

export function backendContractSuite(name: string, makeSubject: () => Promise<ContractSubject>): void {
  describe(`SecretBackend contract: ${name}`, () => {
    let subject: ContractSubject;
    let backend: SecretBackend;
    // Keys unique to this run: letters and digits only, so every backend's naming rules accept them.
    const run = `c${randomBytes(4).toString('hex')}`;
    let counter = 0;
    const freshKey = (label: string) => `${run}${label}${(counter += 1)}`;
    const pathFor = (key: string) => {
      const map = subject.pathFor ?? backend.pathForKey?.bind(backend);
      if (map === undefined) throw new Error('the subject must give pathFor or the backend pathForKey');
      return map(key);
    };

    beforeAll(async () => {
      subject = await makeSubject();
      backend = subject.backend;
    });
    afterAll(async () => {
      await subject?.cleanup?.();
      await backend?.close?.();
    });

    it('get, describe and delete of a missing secret are NotFound, never an empty string', async () => {
      const path = pathFor(freshKey('missing'));
      const read = await failureOf(backend.get(path));
      expect(read.kind).toBe('NotFound');
      expect(read.message).not.toBe('');
      expect((await failureOf(backend.describe(path))).kind).toBe('NotFound');
      expect((await failureOf(backend.delete(path))).kind).toBe('NotFound');
    });

    it('set then get returns the value, and an overwrite returns the new one', async () => {
      const path = pathFor(freshKey('rw'));
      await backend.set(path, 'first value');
      expect((await backend.get(path)).value).toBe('first value');
      await backend.set(path, 'second value');
      expect((await backend.get(path)).value).toBe('second value');
      expect((await backend.describe(path)).path).toBe(path);
    });

    it('versions: older values stay readable, and describe lists every version with one current', async (context) => {
      if (!backend.capabilities.versions) {
        const path = pathFor(freshKey('nover'));
        await backend.set(path, 'only');
        expect((await backend.describe(path)).versions).toEqual([]);
        context.skip(`${name} keeps no versions (capabilities.versions is false); checked that describe reports none`);
        return;
      }
      const path = pathFor(freshKey('ver'));
      const first = await backend.set(path, 'version one');
      const second = await backend.set(path, 'version two');
      expect(first.version).toBeDefined();
      expect(second.version).toBeDefined();
      expect(second.version).not.toBe(first.version);
      expect((await backend.get(path, { version: first.version! })).value).toBe('version one');
      const latest = await backend.get(path);
      expect(latest).toMatchObject({ value: 'version two', version: second.version });
      const { versions } = await backend.describe(path);
      expect(versions.map((v) => v.version)).toEqual(expect.arrayContaining([first.version, second.version]));
      expect(versions.filter((v) => v.current).map((v) => v.version)).toEqual([second.version]);
      // A version that never existed is NotFound, not the latest value.
      expect((await failureOf(backend.get(pathFor(freshKey('nover')), { version: first.version! }))).kind).toBe('NotFound');
    });

    it('unicode, quotes, backslashes and newlines round-trip unchanged', async () => {
      const path = pathFor(freshKey('uni'));
      await backend.set(path, UNICODE_VALUE);
      expect((await backend.get(path)).value).toBe(UNICODE_VALUE);
    });

    it('a value of exactly the backend limit round-trips, and one byte more is InvalidInput with nothing written', async () => {
      const limit = backend.capabilities.maxValueBytes;
      const path = pathFor(freshKey('big'));
      const largest = valueOfBytes(limit);
      expect(Buffer.byteLength(largest)).toBe(limit);
      await backend.set(path, largest);
      expect((await backend.get(path)).value).toBe(largest);

      const tooBig = pathFor(freshKey('toobig'));
      const refused = await failureOf(backend.set(tooBig, valueOfBytes(limit + 1)));
      expect(refused.kind).toBe('InvalidInput');
      expect((await failureOf(backend.get(tooBig))).kind).toBe('NotFound');
    });

    it('listing follows the backend paging across several pages and returns each secret once', async () => {
      const group = freshKey('list');
      const paths = Array.from({ length: 7 }, (_, i) => pathFor(`${group}x${i}`));
      for (const path of paths) await backend.set(path, 'listed');
      const outsider = pathFor(freshKey('outside'));
      await backend.set(outsider, 'not listed');

      const prefix = pathFor(`${group}x`);
      const seen: string[] = [];
      let pages = 0;
      let pageToken: string | undefined;
      do {
        const page = await backend.list(prefix, { pageSize: 3, ...(pageToken === undefined ? {} : { pageToken }) });
        pages += 1;
        seen.push(...page.items.map((item) => item.path));
        pageToken = page.nextPageToken;
        expect(pages).toBeLessThan(50);
      } while (pageToken !== undefined);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect([...seen].sort()).toEqual([...paths].sort());

      const all: string[] = [];
      for await (const item of listAll(backend, prefix, { pageSize: 2 })) all.push(item.path);
      expect(all.sort()).toEqual([...paths].sort());
    });

    it('a page token the backend did not hand out is InvalidInput', async () => {
      const refused = await failureOf(backend.list(pathFor(freshKey('tok')), { pageToken: 'bm90LWEtdG9rZW4' }));
      expect(refused.kind).toBe('InvalidInput');
    });

    it('concurrent writers: with check-and-set exactly one wins and the other gets Conflict; without, the value is one of theirs', async () => {
      const path = pathFor(freshKey('cas'));
      const base = await backend.set(path, 'base');
      if (!backend.capabilities.checkAndSet) {
        await Promise.all([backend.set(path, 'writer A'), backend.set(path, 'writer B')]);
        expect(['writer A', 'writer B']).toContain((await backend.get(path)).value);
        return;
      }
      const read = await backend.get(path);
      expect(read.version).toBe(base.version);
      const outcomes = await Promise.allSettled([
        backend.set(path, 'writer A', { expectedVersion: read.version! }),
        backend.set(path, 'writer B', { expectedVersion: read.version! }),
      ]);
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toMatchObject({ kind: 'Conflict' });
      const winner = outcomes[0]!.status === 'fulfilled' ? 'writer A' : 'writer B';
      expect((await backend.get(path)).value).toBe(winner);
      // "Only if it does not exist yet" on an existing secret is a Conflict, and changes nothing.
      expect((await failureOf(backend.set(path, 'late', { expectedVersion: null }))).kind).toBe('Conflict');
      expect((await backend.get(path)).value).toBe(winner);
      const created = pathFor(freshKey('cas'));
      await backend.set(created, 'new', { expectedVersion: null });
      expect((await backend.get(created)).value).toBe('new');
    });

    it('delete removes the secret; where soft delete exists, restore brings the value back', async () => {
      const path = pathFor(freshKey('del'));
      await backend.set(path, 'to delete');
      await backend.delete(path);
      expect((await failureOf(backend.get(path))).kind).toBe('NotFound');
      if (backend.capabilities.softDelete) {
        expect(backend.restore).toBeDefined();
        await backend.restore!(path);
        expect((await backend.get(path)).value).toBe('to delete');
        await backend.delete(path, { force: true });
        expect((await failureOf(backend.get(path))).kind).toBe('NotFound');
      }
      // A forced delete leaves nothing to restore, and the name can be used again.
      await backend.set(path, 'reborn');
      expect((await backend.get(path)).value).toBe('reborn');
      await backend.delete(path, { force: true });
      expect((await failureOf(backend.get(path))).kind).toBe('NotFound');
    });

    it('metadata round-trips through describe where the backend stores it', async (context) => {
      const path = pathFor(freshKey('meta'));
      const metadata = { owner: 'team-a', purpose: 'ci_deploy' };
      await backend.set(path, 'with metadata', { metadata });
      if (!backend.capabilities.metadata) {
        expect((await backend.get(path)).value).toBe('with metadata');
        context.skip(`${name} stores no metadata (capabilities.metadata is false); checked the value was still written`);
        return;
      }
      expect((await backend.describe(path)).metadata).toMatchObject(metadata);
      // New metadata replaces the old; a write without metadata keeps what the secret has.
      await backend.set(path, 'new value', { metadata: { owner: 'team-b' } });
      expect((await backend.describe(path)).metadata).toEqual({ owner: 'team-b' });
      await backend.set(path, 'third value');
      expect((await backend.describe(path)).metadata).toEqual({ owner: 'team-b' });
      expect((await backend.get(path)).value).toBe('third value');
    });

    it('a canary value never appears in an error, a log line or a request line', async () => {
      const canary = `canary-${randomBytes(12).toString('hex')}`;
      const path = pathFor(freshKey('canary'));
      const failures: unknown[] = [];
      const collect = async (promise: Promise<unknown>) => failures.push((await failureOf(promise)).error);

      await backend.set(path, canary);
      expect((await backend.get(path)).value).toBe(canary);
      await collect(backend.set(path, canary + 'x'.repeat(backend.capabilities.maxValueBytes)));
      await collect(backend.set('', canary));
      await collect(backend.get(path, { version: 'not-a-version' }));
      await collect(backend.get(pathFor(freshKey('canarymissing'))));
      await backend.delete(path, { force: true });
      await collect(backend.get(path));

      expect(failures.length).toBe(5);
      for (const error of failures) {
        expect(String(error)).not.toContain(canary);
        expect(inspect(error, { depth: 10 })).not.toContain(canary);
        expect(JSON.stringify(toPublicError(error))).not.toContain(canary);
      }
      for (const line of subject.logLines?.() ?? []) expect(line).not.toContain(canary);
      for (const line of subject.requestTraces?.() ?? []) expect(line).not.toContain(canary);
    });
  });
}
