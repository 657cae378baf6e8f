import { existsSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createLogger } from '../../../electron/core/log';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { createOperations } from '../../../electron/main/operations';
import { lockGate } from '../../../electron/main/ipc/lock-gate';
import { createRouter, type Router } from '../../../electron/main/ipc/router';
import { createSenderPolicy, type SenderInfo } from '../../../electron/main/ipc/sender-policy';
import { APP_URL } from '../../../electron/main/security';
import { errorKinds, publicErrorSchema } from '../../../shared/errors';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { channelRequests, type ChannelRequests } from '../../harness/contract-arbitraries';
import { FUZZ_CANARY, hostileStrings, hostileValues, pollutionPayloads } from '../../harness/hostile-inputs';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { snapshotTree, type TreeSnapshot } from '../../harness/tree-snapshot';

/**
 * IPC fuzzing: generated requests on every channel of the contract (listChannels(), so new channels are
 * fuzzed without touching this file), through the real router over a real core (temp XDG tree,
 * in-memory keychain). Wrong types, huge strings, deep nesting, prototype-pollution keys, unknown
 * channels and wrong senders. Every call must be answered (no throw, no unhandled rejection), every
 * refusal with a typed error that echoes no value, and a refused call must leave the config, the store,
 * the lock files, the keychain and the clipboard exactly as they were.
 */
const TOTAL = Number(process.env.LATCHKEY_FUZZ_REQUESTS ?? 100_000);
const SEED = Number(process.env.LATCHKEY_FUZZ_SEED ?? 20_261_123);
const WORLD_SIZE = 5_000; // requests per fresh world (temp tree, core, router), so the store stays small
const CHUNK = 500;
const SHALLOW_CHECK_EVERY = 1_000;
const OWN: SenderInfo = { url: APP_URL, isMainFrame: true, webContentsId: 1 };
const FOREIGN_SENDERS: SenderInfo[] = [
  { url: 'https://evil.example/', isMainFrame: true, webContentsId: 1 },
  { url: APP_URL, isMainFrame: false, webContentsId: 1 },
  { url: APP_URL, isMainFrame: true, webContentsId: 2 },
  { url: APP_URL, isMainFrame: true },
  { url: '', isMainFrame: true, webContentsId: 1 },
  { url: 'app://latchkey.evil/index.html', isMainFrame: true, webContentsId: 1 },
  { url: 'file:///tmp/index.html', isMainFrame: true, webContentsId: 1 },
  { url: 'not a url', isMainFrame: true, webContentsId: 1 },
];
const HINTS = {
  project: ['demo', 'ops'],
  environment: ['dev', 'prod'],
  name: ['demo', 'ops', 'dev', 'prod', 'staging'],
  newName: ['renamed'],
  key: ['API_KEY', 'DB_PASSWORD', 'NEW_KEY'],
};
// A wrong passphrase is meant to leave a trace: the throttle's count of failures.
// State that refused calls change by design: failed unlock attempts are counted, and the audit trail
// records an attempt that reached core and failed there (a delete of a missing secret, say).
const DELIBERATE_STATE = [
  join('state', 'latchkey', 'lock', 'attempts.json'),
  join('state', 'latchkey', 'audit.jsonl'),
  join('config', 'latchkey', 'audit-anchor.json'),
];

type Kind = 'valid' | 'mutated' | 'hostile payload' | 'pollution' | 'unknown channel' | 'wrong sender';
interface Case {
  kind: Kind;
  channel: unknown;
  sender: SenderInfo;
  payload: unknown;
}

function mutate(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), hostileValues, fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', 'value', 'confirmed')).chain(([request, pick, hostile, extraKey]) => {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) return fc.constant(hostile);
    const keys = Object.keys(request);
    return fc.constantFrom<unknown>(
      // a field replaced by a hostile value of any type
      keys.length === 0 ? hostile : { ...request, [keys[pick % keys.length]!]: hostile },
      // a hostile string in every string field
      Object.fromEntries(Object.entries(request).map(([key, value]) => [key, typeof value === 'string' ? `${value}/../${FUZZ_CANARY}` : value])),
      // a required field missing
      keys.length === 0 ? { extra: 1 } : Object.fromEntries(Object.entries(request).filter((_, index) => index !== pick % keys.length)),
      // an extra, possibly prototype-polluting, own key
      Object.defineProperty({ ...request }, extraKey, { value: hostile, enumerable: true, configurable: true, writable: true }),
      // the whole payload wrapped or replaced
      [request],
      hostile,
    );
  });
}

function caseArbitrary(requests: ChannelRequests[]): fc.Arbitrary<Case> {
  const valid = fc.constantFrom(...requests).chain((request) => request.valid.map((payload) => ({ channel: request.info.channel, payload })));
  const mutated = fc.constantFrom(...requests).chain((request) => mutate(request.valid).map((payload) => ({ channel: request.info.channel, payload })));
  const anyChannel = fc.constantFrom(...requests.map((request) => request.info.channel));
  const unknownChannel = fc.oneof(
    fc.constantFrom<unknown>('latchkey:secrets.dump', 'latchkey:__proto__.x', '__proto__', 'constructor', 'toString', 'latchkey:secrets.reveal ', 'LATCHKEY:SECRETS.REVEAL', 'latchkey-event:lock.changed', '', 42, null, undefined, {}, ['latchkey:app.info']),
    hostileStrings,
    fc.string({ maxLength: 40 }).map((name) => `latchkey:${name}`),
  );
  return fc.oneof(
    { arbitrary: valid.map((call): Case => ({ kind: 'valid', sender: OWN, ...call })), weight: 3 },
    { arbitrary: mutated.map((call): Case => ({ kind: 'mutated', sender: OWN, ...call })), weight: 40 },
    { arbitrary: fc.tuple(anyChannel, hostileValues).map(([channel, payload]): Case => ({ kind: 'hostile payload', sender: OWN, channel, payload })), weight: 20 },
    { arbitrary: fc.tuple(anyChannel, fc.constantFrom(...pollutionPayloads())).map(([channel, payload]): Case => ({ kind: 'pollution', sender: OWN, channel, payload })), weight: 6 },
    { arbitrary: fc.tuple(unknownChannel, hostileValues).map(([channel, payload]): Case => ({ kind: 'unknown channel', sender: OWN, channel, payload })), weight: 10 },
    { arbitrary: fc.tuple(valid, fc.constantFrom(...FOREIGN_SENDERS)).map(([call, sender]): Case => ({ kind: 'wrong sender', sender, ...call })), weight: 21 },
  );
}

/** What IPC would deliver: a structured clone, where one can be made (a value too deep to clone is sent as is). */
function overTheWire(payload: unknown): unknown {
  try {
    return structuredClone(payload);
  } catch {
    return payload;
  }
}

interface World {
  xdg: TempXdg;
  core: Core;
  router: Router;
  clipboard: { text: string };
  keychain: ReturnType<typeof createMemoryKeychain>;
  logLines: string[];
}

// Real files, on a tmpfs where there is one: 100,000 calls with fsync on a shared disk take minutes.
const FAST_FILES = existsSync('/dev/shm') ? '/dev/shm' : undefined;

async function createWorld(): Promise<World> {
  const xdg = await createTempXdg(FAST_FILES);
  const logLines: string[] = [];
  const logger = createLogger({ sink: (line) => logLines.push(line), level: 'debug' });
  const keychain = createMemoryKeychain();
  const core = createCore({ paths: xdg.paths, keychain, logger, passphraseCost: { N: 2 ** 10, r: 8, p: 1 } });
  await core.lock.start();
  const clipboard = { text: '' };
  // The clear-after-30-s timer never fires here: it would change the clipboard between two checks.
  const guard = createClipboardGuard({ clipboard: { readText: () => clipboard.text, writeText: (text) => void (clipboard.text = text) }, setTimer: () => ({}), clearTimer: () => undefined });
  const router = createRouter({
    handlers: createHandlers({ core, clipboard: guard, emit: () => undefined, operations: createOperations(() => undefined), version: 'fuzz', platform: 'linux' }),
    isTrustedSender: createSenderPolicy(APP_URL, new Set([1])),
    logger,
    gate: lockGate(core.lock),
  });
  await core.projects.createProject('demo');
  await core.projects.createEnvironment('demo', 'dev');
  await core.projects.createEnvironment('demo', 'prod');
  await core.secrets.create('demo', 'dev', 'API_KEY', 'seed-value-dev');
  await core.secrets.create('demo', 'prod', 'DB_PASSWORD', 'seed-value-prod', { confirmed: true });
  return { xdg, core, router, clipboard, keychain, logLines };
}

// A refused read or change that reached core is recorded in the audit trail as an attempt ("started",
// "failed"): that trace is meant. What a refused call must not leave is a record of success.
const AUDIT_LOG = join('state', 'latchkey', 'audit.jsonl');
const AUDIT_ANCHOR = join('config', 'latchkey', 'audit-anchor.json');

// The log only grows, so each look reads just what was appended since the last one.
const auditSeen = new WeakMap<World, { bytes: number; successes: number; partial: string }>();

async function successfulAuditRecords(world: World): Promise<number> {
  const seen = auditSeen.get(world) ?? { bytes: 0, successes: 0, partial: '' };
  let appended: Buffer;
  try {
    const file = await open(join(world.xdg.root, AUDIT_LOG), 'r');
    try {
      const { size } = await file.stat();
      appended = Buffer.alloc(Math.max(0, size - seen.bytes));
      await file.read(appended, 0, appended.length, seen.bytes);
    } finally {
      await file.close();
    }
  } catch {
    return seen.successes;
  }
  const lines = (seen.partial + appended.toString('utf8')).split('\n');
  const partial = lines.pop() ?? '';
  const successes = seen.successes + lines.filter((line) => line.includes('"outcome":"ok"')).length;
  auditSeen.set(world, { bytes: seen.bytes + appended.length, successes, partial });
  return successes;
}

async function observe(world: World) {
  // Inode, size and modification time show any write; hashing every file around every call would only be slower.
  const tree: TreeSnapshot = await snapshotTree(world.xdg.root, { hashContent: false });
  for (const path of [...DELIBERATE_STATE, AUDIT_LOG, AUDIT_ANCHOR]) delete tree[path];
  return {
    tree,
    auditedSuccesses: await successfulAuditRecords(world),
    clipboard: world.clipboard.text,
    keychain: [...world.keychain.entries.keys()].sort(),
    locked: world.core.lock.isLocked(),
  };
}

/**
 * Every other world runs locked (calls must be refused with Locked and change nothing). After an
 * accepted call that set a passphrase, locked or unlocked the app, the world's lock is put back.
 */
async function restoreLock(world: World, locked: boolean): Promise<void> {
  if ((await world.core.lock.status()).method === 'passphrase') await rm(join(world.xdg.paths.stateDir, 'lock'), { recursive: true, force: true });
  if (locked && !world.core.lock.isLocked()) await world.core.lock.lock('manual');
  if (!locked && world.core.lock.isLocked()) await world.core.lock.unlock({});
}

describe('IPC fuzzing through the real router over a real core', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it(`answers ${TOTAL} generated requests with a result or a typed error, and a refused call changes nothing`, { timeout: 10 * 60_000 }, async () => {
    const requests = channelRequests(HINTS);
    const notDerived = requests.filter((request) => !request.derived).map((request) => request.info.channel);
    if (notDerived.length > 0) console.warn(`[fuzz] no JSON Schema for ${notDerived.join(', ')}: only hostile values are generated for them`);
    const cases = caseArbitrary(requests);
    const counts: Record<Kind, number> = { valid: 0, mutated: 0, 'hostile payload': 0, pollution: 0, 'unknown channel': 0, 'wrong sender': 0 };
    const answers = { accepted: 0, refused: 0, deepChecks: 0, shallowChecks: 0 };
    const refusedKinds: Record<string, number> = {};
    const perChannel = new Map<string, number>();
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

    let done = 0;
    for (let worldIndex = 0; done < TOTAL; worldIndex += 1) {
      const world = await createWorld();
      const locked = worldIndex % 2 === 1;
      try {
        await restoreLock(world, locked);
        let baseline = await observe(world);
        let shallowSinceCheck = 0;
        const worldEnd = Math.min(TOTAL, done + WORLD_SIZE);
        for (let chunkStart = done; chunkStart < worldEnd; chunkStart += CHUNK) {
          const batch = fc.sample(cases, { numRuns: Math.min(CHUNK, worldEnd - chunkStart), seed: SEED + chunkStart });
          for (const fuzzCase of batch) {
            const payload = overTheWire(fuzzCase.payload);
            const channel = typeof fuzzCase.channel === 'string' ? fuzzCase.channel : undefined;
            const route = requests.find((request) => request.info.channel === channel);
            const trusted = fuzzCase.sender === OWN;
            // A call that can reach core is checked on its own; every other call must be refused at the door.
            const deep = route !== undefined && trusted && route.info.entry.request.safeParse(payload).success;
            const describeCase = () => `seed ${SEED}, request #${done}: ${fuzzCase.kind} on ${String(fuzzCase.channel).slice(0, 80)} from ${fuzzCase.sender.url}`;

            let before: Awaited<ReturnType<typeof observe>> | undefined;
            if (deep) {
              before = await observe(world);
              expect(before, `refused calls before ${describeCase()} changed state`).toEqual(baseline);
              shallowSinceCheck = 0;
            }
            let answer: unknown;
            try {
              answer = await world.router.handle(fuzzCase.channel, fuzzCase.sender, payload);
            } catch (error) {
              throw new Error(`router threw on ${describeCase()}`, { cause: error });
            }
            const result = answer as { ok: boolean; value?: unknown; error?: unknown };
            counts[fuzzCase.kind] += 1;
            if (channel !== undefined) perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
            // Plain checks in the loop (expect() is slow at this volume); each failure names the case.
            const check = (ok: boolean, what: string) => {
              if (!ok) throw new Error(`${what}: ${describeCase()}; answer ${JSON.stringify(answer)?.slice(0, 300)}`);
            };
            if (result.ok !== true) {
              answers.refused += 1;
              const error = publicErrorSchema.strict().safeParse(result.error);
              check(result.ok === false && error.success, 'an answer that is neither a result nor a typed error');
              const { kind, message } = error.data!;
              refusedKinds[kind] = (refusedKinds[kind] ?? 0) + 1;
              check((errorKinds as readonly string[]).includes(kind), 'an unknown error kind');
              check(message.length < 1_000, 'an error message over 1,000 characters');
              check(!message.includes(FUZZ_CANARY), 'an error message that echoes input');
              check(!/\n\s+at /.test(message), 'a stack trace in an error message');
              if (fuzzCase.kind === 'wrong sender') check(kind === 'PermissionDenied', 'a wrong sender not refused with PermissionDenied');
              if (fuzzCase.kind === 'unknown channel' && route === undefined) check(kind === 'InvalidInput', 'an unknown channel not refused with InvalidInput');
            } else {
              answers.accepted += 1;
              check(deep, 'accepted a call that should have been refused at the door');
            }

            if (deep) {
              const after = await observe(world);
              answers.deepChecks += 1;
              if (result.ok !== true) expect(after, `refused ${describeCase()} changed state`).toEqual(before);
              else await restoreLock(world, locked);
              baseline = result.ok === true ? await observe(world) : after;
            } else if (++shallowSinceCheck >= SHALLOW_CHECK_EVERY) {
              expect(await observe(world), `refused calls up to ${describeCase()} changed state`).toEqual(baseline);
              answers.shallowChecks += 1;
              shallowSinceCheck = 0;
            }
            done += 1;
          }
        }
        expect(await observe(world)).toEqual(baseline);
        expect(world.logLines.filter((line) => line.includes(FUZZ_CANARY)).map((line) => line.slice(0, 300))).toEqual([]);
      } finally {
        await world.xdg.cleanup();
      }
    }

    // Nothing was polluted, nothing escaped as an unhandled rejection, and every channel was exercised.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(unhandled).toEqual([]);
    for (const request of requests) expect(perChannel.get(request.info.channel) ?? 0, request.info.channel).toBeGreaterThan(100);
    expect(answers.accepted).toBeGreaterThan(100);

    console.info(
      `[fuzz] ${done} requests over ${requests.length} channels (seed ${SEED}): ` +
        Object.entries(counts).map(([kind, count]) => `${count} ${kind}`).join(', ') +
        `; ${answers.accepted} accepted, ${answers.refused} refused (${Object.entries(refusedKinds).map(([kind, count]) => `${kind} ${count}`).join(', ')}); ` +
        `state compared before and after each of the ${answers.deepChecks} calls that reached core, and across the calls refused at the door between them (at most ${SHALLOW_CHECK_EVERY} at a time); 0 crashes, 0 unhandled rejections`,
    );
  });
});
