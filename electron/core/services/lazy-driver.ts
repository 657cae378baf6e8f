import type { ServiceDriver } from './driver';

/**
 * A driver whose implementation — and the client library it brings (mysql2, the AWS SDK) — loads on its
 * first call, so that a `latchkey` command that rotates nothing at that kind of service does not pay for
 * loading it. What the framework reads without calling (kind, strategies, modes) is given up front.
 */
export function lazyDriver<S>(
  shape: Pick<ServiceDriver<S>, 'kind' | 'strategies' | 'selfMode' | 'makesCredential'> & { discardsUnrecorded: boolean },
  load: () => Promise<ServiceDriver<S>>,
): ServiceDriver<S> {
  let loaded: Promise<ServiceDriver<S>> | undefined;
  const driver = () => (loaded ??= load());
  const { discardsUnrecorded, ...properties } = shape;
  return {
    ...properties,
    check: async (target, current) => (await driver()).check(target, current),
    set: async (target, current, proposed) => (await driver()).set(target, current, proposed),
    test: async (target, next) => (await driver()).test(target, next),
    retire: async (target, old, next) => (await driver()).retire(target, old, next),
    undo: async (target, current, next) => (await driver()).undo(target, current, next),
    refuses: async (target, old) => (await driver()).refuses(target, old),
    ...(discardsUnrecorded
      ? {
          discardUnrecorded: async (target, current) => {
            const implementation = await driver();
            await implementation.discardUnrecorded!(target, current);
          },
        }
      : {}),
  };
}
