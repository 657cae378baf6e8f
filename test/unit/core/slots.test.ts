import { describe, expect, it } from 'vitest';
import { Slots } from '../../../electron/core/async/slots';

describe('Slots', () => {
  it('hands out at most `size` at once, first come first served; a release called twice frees one slot', async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    const first = await slots.acquire();
    const second = await slots.acquire();
    const waiters = ['a', 'b', 'c'].map(async (name) => {
      const release = await slots.acquire();
      order.push(name);
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // a second call changes nothing
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a']);
    second();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a', 'b']);
    (await waiters[0])!();
    expect(await waiters[2]).toBeTypeOf('function');
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('refuses a size that is not a whole number of at least 1', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
    expect(() => new Slots(1.5)).toThrow(RangeError);
  });
});
