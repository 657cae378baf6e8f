import fc from 'fast-check';

/**
 * Inputs an attacker (a compromised page, a hand-edited file, a crafted reference) would try, shared by
 * the IPC fuzzer and the file-system attack tests.
 */

/** Names that try to leave the store, or break a file system. */
export const TRAVERSAL_NAMES: readonly string[] = [
  '..',
  '.',
  '../outside',
  '../../../../../../etc/passwd',
  '..\\..\\windows\\system32',
  '/etc/passwd',
  '/tmp/latchkey-escape',
  'C:\\Windows\\System32',
  '\\\\server\\share',
  'demo/../../escape',
  'demo/dev',
  'a\u0000b',
  '\u0000',
  'dev\u0000/../../x',
  '%2e%2e%2f%2e%2e',
  '..%2f..%2f',
  '~',
  '~/.ssh',
  '$HOME',
  ' demo',
  'demo ',
  '-rf',
  '.hidden',
  'x'.repeat(201),
  'x'.repeat(256),
  'x'.repeat(4096),
  'K'.repeat(10_000),
  'dév',
  'demo\u202eexe.txt',
  'demo\n',
  'demo\r\nX-Injected: 1',
];

/**
 * A marker put in hostile strings. It is no valid name (it has a space and a slash), so no error has a
 * reason to quote it: an error answer or a log line that contains it echoed input it should not have.
 */
export const FUZZ_CANARY = 'fuzz-canary value/7f3a91';

export const HUGE_STRING = `${FUZZ_CANARY}${'A'.repeat(1024 * 1024 + 10)}`;

export function deeplyNested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = FUZZ_CANARY;
  for (let i = 0; i < depth; i += 1) value = kind === 'array' ? [value] : { nested: value };
  return value;
}

/** Objects whose own keys try prototype pollution once merged, spread or assigned somewhere. */
export function pollutionPayloads(): unknown[] {
  return [
    JSON.parse('{"__proto__": {"polluted": "yes", "isAdmin": true}}'),
    JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}'),
    JSON.parse('{"prototype": {"polluted": "yes"}}'),
    JSON.parse('{"project": "demo", "environment": "dev", "key": "API_KEY", "__proto__": {"polluted": "yes"}}'),
    JSON.parse('{"project": "demo", "name": "dev", "changes": {"__proto__": {"protected": false, "polluted": "yes"}}}'),
    JSON.parse('{"name": "demo", "constructor": {"prototype": {"polluted": "yes"}}}'),
    Object.assign(Object.create(null) as object, { project: 'demo', environment: 'dev', key: 'API_KEY' }),
  ];
}

/** Values of the wrong type for any field. */
export const wrongTypes: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, true, false, 0, -0, 1.5, -1, NaN, Infinity, -Infinity, 2 ** 53, '', [], {}, [[]], [{}]),
  fc.bigInt(),
  fc.date(),
  fc.integer(),
  fc.double(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
  fc.constant(new Uint8Array([0, 1, 2])),
  fc.constant(new Map([['k', 'v']])),
  fc.constant(new Set([1])),
);

/** Strings that are hostile in any string field. */
export const hostileStrings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRAVERSAL_NAMES),
  fc.constant(HUGE_STRING),
  fc.constant(FUZZ_CANARY),
  fc.string({ unit: 'binary', maxLength: 64 }).map((text) => `${text}${FUZZ_CANARY}`),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'),
);

/** Anything: wrong types, hostile strings, deep nesting, pollution keys, or fast-check's own anything(). */
export const hostileValues: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: wrongTypes, weight: 4 },
  { arbitrary: hostileStrings, weight: 4 },
  { arbitrary: fc.constantFrom(...pollutionPayloads()), weight: 2 },
  { arbitrary: fc.constantFrom(deeplyNested(1_000, 'array'), deeplyNested(1_000, 'object'), deeplyNested(20_000, 'array')), weight: 1 },
  {
    arbitrary: fc.anything({
      maxDepth: 4,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'prototype')),
    }),
    weight: 3,
  },
);

/**
 * Text that acts on a terminal when printed raw: an OSC window title (ended by BEL), a screen clear, a
 * carriage return that overwrites the line, a forged output line, the one-byte C1 CSI, a right-to-left
 * override, an OSC 52 clipboard write. What the CLI prints must contain none of these raw.
 */
export const TERMINAL_ATTACKS = {
  title: '\u001b]0;pwned\u0007',
  clear: '\u001b[2J\u001b[H',
  overwrite: 'ok\rREVOKED',
  forgedLine: '\nFAKE LINE: revoked 0',
  c1: '\u009b31m',
  rtl: '\u202eevil',
  clipboard: '\u001b]52;c;ZXZpbA==\u0007',
} as const;

/** One string with every attack in it. */
export const TERMINAL_ATTACK = Object.values(TERMINAL_ATTACKS).join('');

/** Raw control characters a terminal acts on: none of these may reach the CLI's output. */
// eslint-disable-next-line no-control-regex
export const RAW_TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
