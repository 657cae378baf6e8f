import { existsSync, watch, type FSWatcher } from 'node:fs';

/**
 * When to look again at a running program's secrets (`latchkey run --watch`): right after the local
 * store's files of its environments change (a write, a rotation, an edit in the app or another
 * `latchkey`: every one ends with a rename in the environment's folder), and every `intervalMs` for
 * secrets on remote backends, which cannot tell anyone. Bursts of file events (a rotation writes, then
 * removes its lock) are gathered into one check after `debounceMs`. What changed is for the caller to
 * find out: this only says when.
 */
export interface ChangeWatcherOptions {
  /** Folders of the local store to watch (they may not exist yet). */
  directories: readonly string[];
  /** Their parent, watched so that a folder created later is watched from then on. */
  storeRoot: string;
  /** Poll every intervalMs (remote secrets, or file watching unavailable). */
  poll: boolean;
  intervalMs: number;
  debounceMs: number;
  onCheck(): void;
  /** File watching failed (inotify limits…): polling takes over; for a notice to the person. */
  onFallback(reason: string): void;
}

export interface ChangeWatcher {
  close(): void;
}

export function watchForChanges(options: ChangeWatcherOptions): ChangeWatcher {
  const watchers = new Map<string, FSWatcher>();
  let debounce: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  let closed = false;

  const soon = () => {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(options.onCheck, options.debounceMs);
  };
  const startPolling = () => {
    poller ??= setInterval(options.onCheck, options.intervalMs);
  };
  const fallBack = (error: unknown) => {
    options.onFallback((error as NodeJS.ErrnoException).code ?? 'file watching failed');
    startPolling();
  };
  const arm = (directory: string) => {
    if (watchers.has(directory) || !existsSync(directory)) return;
    try {
      const watcher = watch(directory, { persistent: false }, soon);
      watcher.on('error', () => {
        // The folder was removed (its environment deleted): look now, and watch it again if it comes back.
        watcher.close();
        watchers.delete(directory);
        soon();
      });
      watchers.set(directory, watcher);
    } catch (error) {
      fallBack(error);
    }
  };

  if (options.directories.length > 0) {
    try {
      if (existsSync(options.storeRoot)) {
        const root = watch(options.storeRoot, { persistent: false }, () => {
          // A new environment folder: watch it, and look (its first secret may be in it already).
          for (const directory of options.directories) if (!watchers.has(directory) && existsSync(directory)) arm(directory);
          soon();
        });
        root.on('error', () => undefined);
        watchers.set(options.storeRoot, root);
      } else {
        // No local store yet: nothing to watch until one exists, so look now and then instead.
        startPolling();
      }
    } catch (error) {
      fallBack(error);
    }
    for (const directory of options.directories) arm(directory);
  }
  if (options.poll) startPolling();

  return {
    close() {
      closed = true;
      clearTimeout(debounce);
      clearInterval(poller);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
