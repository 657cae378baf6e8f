import type { ListOptions, ReadResult, SecretBackend, WriteOptions, WriteResult } from '../../electron/core/secrets/backend';

/**
 * TEST DOUBLE for benchmarks: adds a fixed delay to every call of a wrapped backend, standing in for the
 * round trip to a remote secret store until the Vault wire-level fake is available here.
 */
export class LatencyBackend implements SecretBackend {
  readonly stage?: (path: string, value: string) => Promise<WriteResult>;
  readonly promote?: (path: string, version: string) => Promise<void>;

  constructor(
    readonly inner: SecretBackend,
    readonly delayMs: number,
  ) {
    if (inner.stage !== undefined && inner.promote !== undefined) {
      const stage = inner.stage.bind(inner);
      const promote = inner.promote.bind(inner);
      this.stage = (path, value) => this.delayed(() => stage(path, value));
      this.promote = (path, version) => this.delayed(() => promote(path, version));
    }
  }

  get scheme() {
    return this.inner.scheme;
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  get(path: string, options?: { version?: string }): Promise<ReadResult> {
    return this.delayed(() => this.inner.get(path, options));
  }

  set(path: string, value: string, options?: WriteOptions): Promise<WriteResult> {
    return this.delayed(() => this.inner.set(path, value, options));
  }

  delete(path: string): Promise<void> {
    return this.delayed(() => this.inner.delete(path));
  }

  list(prefix: string, options?: ListOptions) {
    return this.delayed(() => this.inner.list(prefix, options));
  }

  describe(path: string) {
    return this.delayed(() => this.inner.describe(path));
  }

  private async delayed<T>(call: () => Promise<T>): Promise<T> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return call();
  }
}
