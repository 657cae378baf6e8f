import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TOASTS, useToasts } from '../../../renderer/src/stores/toasts.store';

/** The notices: a repeat is counted on the one shown, at most MAX_TOASTS are kept, each goes in time. */
describe('toasts store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useToasts.setState({ toasts: [] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const shown = () => useToasts.getState().toasts.map((toast) => `${toast.text}×${toast.count}${toast.action === undefined ? '' : `[${toast.action.label}]`}`);

  it('counts a repeat on the notice still shown, and its timer starts again', () => {
    const { show } = useToasts.getState();
    show('success', 'Copied STRIPE_KEY.');
    vi.advanceTimersByTime(3000);
    show('success', 'Copied STRIPE_KEY.');
    show('success', 'Copied STRIPE_KEY.');
    expect(shown()).toEqual(['Copied STRIPE_KEY.×3']);
    vi.advanceTimersByTime(3000);
    expect(shown()).toEqual(['Copied STRIPE_KEY.×3']);
    vi.advanceTimersByTime(1001);
    expect(shown()).toEqual([]);
  });

  it('keeps at most MAX_TOASTS, the oldest going first; the same text in another tone is another notice', () => {
    const { show } = useToasts.getState();
    show('success', 'one');
    show('error', 'one');
    show('success', 'two');
    show('success', 'three');
    expect(shown()).toHaveLength(MAX_TOASTS);
    expect(shown()).toEqual(['one×1', 'two×1', 'three×1']);
    expect(useToasts.getState().toasts[0]!.tone).toBe('error');
  });

  it('a repeat with an action takes the newest action, and an action keeps the notice longer', () => {
    const { show } = useToasts.getState();
    const first = vi.fn();
    const second = vi.fn();
    show('success', 'Rotated API_KEY.', { label: 'Undo', run: first });
    show('success', 'Rotated API_KEY.', { label: 'Undo', run: second });
    expect(shown()).toEqual(['Rotated API_KEY.×2[Undo]']);
    useToasts.getState().toasts[0]!.action!.run();
    expect(second).toHaveBeenCalledTimes(1);
    expect(first).not.toHaveBeenCalled();
    vi.advanceTimersByTime(8000);
    expect(shown()).toHaveLength(1);
    vi.advanceTimersByTime(2001);
    expect(shown()).toEqual([]);
  });

  it('dismissing one stops its timer and leaves the others', () => {
    const { show, dismiss } = useToasts.getState();
    show('info', 'a');
    show('info', 'b');
    dismiss(useToasts.getState().toasts[0]!.id);
    expect(shown()).toEqual(['b×1']);
  });
});
