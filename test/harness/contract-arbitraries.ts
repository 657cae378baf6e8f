import fc from 'fast-check';
import { z } from 'zod';
import { listChannels, type ChannelInfo } from '../../shared/ipc/contract';

/**
 * fast-check arbitraries of the requests of every IPC channel, derived from the contract's own zod
 * schemas (through their JSON Schema form), so a channel added to the contract is generated for without
 * touching the tests. `hints` bias string fields by name towards things that exist (a project "demo", a
 * key "API_KEY"), so generated calls reach deep into core instead of stopping at NotFound.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

export type Hints = Record<string, readonly string[]>;

export function requestJsonSchema(info: ChannelInfo): JsonSchema | undefined {
  try {
    return z.toJSONSchema(info.entry.request, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return undefined;
  }
}

function stringArbitrary(schema: JsonSchema, name: string | undefined, hints: Hints): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, 40);
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern);
  const fits = (text: string) => (pattern === undefined || pattern.test(text)) && text.length >= minLength && text.length <= (schema.maxLength ?? Infinity);
  const generic =
    pattern === undefined
      ? fc.string({ minLength, maxLength: Math.max(minLength, maxLength), unit: 'grapheme' })
      : fc.stringMatching(pattern).filter((text) => text.length <= (schema.maxLength ?? Infinity));
  const hinted = (name === undefined ? [] : (hints[name] ?? [])).filter(fits);
  return hinted.length === 0 ? generic : fc.oneof({ arbitrary: fc.constantFrom(...hinted), weight: 4 }, { arbitrary: generic, weight: 1 });
}

/** An arbitrary of values valid under `schema` (the subset of JSON Schema that zod emits for the contract). */
export function arbitraryFromJsonSchema(schema: JsonSchema, hints: Hints = {}, name?: string): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options !== undefined) return fc.oneof(...options.map((option) => arbitraryFromJsonSchema(option, hints, name)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, property] of Object.entries(properties)) record[key] = arbitraryFromJsonSchema(property, hints, key);
      return fc.record(record, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) });
    }
    case 'string':
      return stringArbitrary(schema, name, hints);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum === undefined ? -1_000_000 : schema.exclusiveMinimum + 1);
      const max = schema.maximum ?? (schema.exclusiveMaximum === undefined ? 1_000_000 : schema.exclusiveMaximum - 1);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case 'array':
      return fc.array(schema.items === undefined ? fc.anything() : arbitraryFromJsonSchema(schema.items, hints), { maxLength: 3 });
    case 'null':
      return fc.constant(null);
    default:
      return fc.anything();
  }
}

export interface ChannelRequests {
  info: ChannelInfo;
  /** Requests the channel's schema accepts. */
  valid: fc.Arbitrary<unknown>;
  /** False when the schema has no JSON Schema form; such a channel is fuzzed with arbitrary values only. */
  derived: boolean;
}

export function channelRequests(hints: Hints = {}): ChannelRequests[] {
  return listChannels().map((info) => {
    const schema = requestJsonSchema(info);
    if (schema === undefined) return { info, valid: fc.anything(), derived: false };
    const arbitrary = arbitraryFromJsonSchema(schema, hints).filter((value) => info.entry.request.safeParse(value).success);
    return { info, valid: arbitrary, derived: true };
  });
}

/** One valid request per channel, the same on every run. */
export function sampleValidRequest(requests: ChannelRequests, seed = 42): unknown {
  return fc.sample(requests.valid, { numRuns: 1, seed })[0];
}
