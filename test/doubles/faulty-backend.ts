import { backendUnavailable } from '../../electron/core/errors';
import type { ListOptions, ReadResult, SecretBackend, WriteOptions, WriteResult } from '../../electron/core/secrets/backend';

/**
 * TEST DOUBLE: wraps a real SecretBackend and fails on command, to prove that rotation never leaves a
 * secret half-done. Modes:
 *   before   throw BackendUnavailable without calling the backend (the request never arrived)
 *   after    call the backend, then throw (it happened, but the answer was lost)
 *   corrupt  set/stage: store a damaged value instead, and answer normally
 *   garble   get: return a damaged value (the read, not the store, is wrong)
 * Calls are recorded as operation and path only — never values.
 */
export type FaultOperation = 'get' | 'set' | 'stage' | 'promote' | 'describe' | 'list' | 'delete';
export type FaultMode = 'before' | 'after' | 'corrupt' | 'garble';

export interface FaultRule {
  operation: FaultOperation;
  mode: FaultMode;
  /** Which paths the rule applies to (all when omitted). */
  path?: string | RegExp;
  /** Skip this many matching calls before failing (0: fail the first). */
  skip?: number;
  /** How many matching calls fail (Infinity for all). */
  times?: number;
}

export const DAMAGED_SUFFIX = '\u0000damaged';

export class FaultyBackend implements SecretBackend {
  readonly calls: { operation: FaultOperation; path: string }[] = [];
  private rules: (FaultRule & { skip: number; times: number })[] = [];
  readonly stage?: (path: string, value: string) => Promise<WriteResult>;
  readonly promote?: (path: string, version: string) => Promise<void>;

  constructor(readonly inner: SecretBackend) {
    if (inner.stage !== undefined && inner.promote !== undefined) {
      const stage = inner.stage.bind(inner);
      const promote = inner.promote.bind(inner);
      this.stage = (path, value) => this.run('stage', path, (damaged) => stage(path, damaged ? value + DAMAGED_SUFFIX : value));
      this.promote = (path, version) => this.run('promote', path, () => promote(path, version));
    }
  }

  get scheme() {
    return this.inner.scheme;
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  fail(rule: FaultRule): this {
    this.rules.push({ ...rule, skip: rule.skip ?? 0, times: rule.times ?? 1 });
    return this;
  }

  clearFaults(): void {
    this.rules = [];
  }

  async get(path: string, options?: { version?: string }): Promise<ReadResult> {
    return this.run('get', path, async (damaged) => {
      const result = await this.inner.get(path, options);
      return damaged ? { ...result, value: result.value + DAMAGED_SUFFIX } : result;
    });
  }

  set(path: string, value: string, options?: WriteOptions): Promise<WriteResult> {
    return this.run('set', path, (damaged) => this.inner.set(path, damaged ? value + DAMAGED_SUFFIX : value, options));
  }

  delete(path: string): Promise<void> {
    return this.run('delete', path, () => this.inner.delete(path));
  }

  list(prefix: string, options?: ListOptions) {
    return this.run('list', prefix, () => this.inner.list(prefix, options));
  }

  describe(path: string) {
    return this.run('describe', path, () => this.inner.describe(path));
  }

  private async run<T>(operation: FaultOperation, path: string, call: (damaged: boolean) => Promise<T>): Promise<T> {
    this.calls.push({ operation, path });
    const rule = this.rules.find((candidate) => candidate.operation === operation && candidate.times > 0 && matches(candidate.path, path));
    if (rule !== undefined && rule.skip > 0) {
      rule.skip -= 1;
      return call(false);
    }
    if (rule === undefined) return call(false);
    rule.times -= 1;
    const injected = () => backendUnavailable(`Injected ${operation} failure (${rule.mode}) on ${path}.`);
    switch (rule.mode) {
      case 'before':
        throw injected();
      case 'after':
        await call(false);
        throw injected();
      case 'corrupt':
      case 'garble':
        return call(true);
    }
  }
}

function matches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}
