/**
 * A fixed number of slots, handed out first come, first served: bounds how many callers do one kind of
 * work at once (an incident's rotations talking to backends) while the rest of their work (audit
 * appends) is not counted. `acquire` resolves with the slot's release, which is safe to call twice.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('Slots need a whole number of at least 1.');
    this.free = size;
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; only without one does it become free.
      if (next === undefined) this.free += 1;
      else next();
    };
  }
}
