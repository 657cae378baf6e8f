import type { Page } from 'playwright-core';

/**
 * Everything the page's React tree holds, as text: the props and hook state of every mounted component
 * (which includes the snapshot of every zustand store a component reads). The tree is reached through
 * the root element's React container key, as React DevTools does; DOM nodes and functions are skipped.
 */
export function reactStateText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const root = document.getElementById('root') as (HTMLElement & Record<string, unknown>) | null;
    const key = root === null ? undefined : Object.keys(root).find((name) => name.startsWith('__reactContainer$'));
    if (root === null || key === undefined) throw new Error('no React root found');
    const texts: string[] = [];
    // An object met again nearer the surface is walked again: met first deep inside a parent's props,
    // its own content may have been cut off by the depth limit.
    const seenAt = new WeakMap<object, number>();
    const collect = (value: unknown, depth: number): void => {
      if (depth > 12 || value === null || value === undefined) return;
      if (typeof value === 'string') texts.push(value);
      else if (typeof value === 'number' || typeof value === 'boolean') texts.push(String(value));
      else if (typeof value === 'object') {
        if (value instanceof Node || value instanceof Window) return;
        const before = seenAt.get(value);
        if (before !== undefined && before <= depth) return;
        seenAt.set(value, depth);
        // A fiber's links to other fibers are walked separately.
        for (const [name, child] of Object.entries(value)) if (!['_owner', 'return', 'child', 'sibling', 'alternate', 'stateNode', '_debugOwner'].includes(name)) collect(child, depth + 1);
      }
    };
    type Fiber = { child: Fiber | null; sibling: Fiber | null; memoizedProps: unknown; memoizedState: unknown };
    const walk = (fiber: Fiber | null) => {
      for (let current = fiber; current !== null; current = current.sibling) {
        collect(current.memoizedProps, 0);
        // Hooks form a list: each has memoizedState and next.
        for (let hook = current.memoizedState as { memoizedState?: unknown; next?: unknown } | null; hook !== null && typeof hook === 'object'; hook = (hook.next ?? null) as typeof hook) {
          collect(hook.memoizedState, 0);
          if (!('next' in hook)) break;
        }
        walk(current.child);
      }
    };
    // The container key holds the HostRoot fiber React made first; after a commit the tree on screen may
    // be its alternate. The FiberRoot (stateNode) always points at the current one.
    const hostRoot = root[key] as Fiber & { stateNode?: { current?: Fiber } };
    walk(hostRoot.stateNode?.current ?? hostRoot);
    return texts.join('\n');
  });
}
