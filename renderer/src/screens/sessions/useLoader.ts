import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../../api';
import { useOperation } from '../../operations';

/**
 * Loads something with a long call (a keyspace walk) whenever `key` changes or `reload()` is called,
 * with progress and cancel. The last value stays on screen while a refresh runs; a refresh that is
 * overtaken by a newer one is cancelled in main, so auto-refresh never piles walks up.
 */
export function useLoader<T>(load: (operationId: string) => Promise<T>, key: string) {
  const operation = useOperation();
  const { start, finish } = operation;
  const [reloads, setReloads] = useState(0);
  const wanted = `${key}#${reloads}`;
  const [state, setState] = useState<{ for: string; value?: T; error?: string }>({ for: '' });

  useEffect(() => {
    let live = true;
    let finished = false;
    const operationId = start();
    load(operationId)
      .then((value) => live && setState({ for: wanted, value }))
      .catch((caught: unknown) => live && setState((previous) => ({ for: wanted, ...(previous.value === undefined ? {} : { value: previous.value }), error: messageOf(caught) })))
      .finally(() => {
        finished = true;
        if (live) finish();
      });
    return () => {
      live = false;
      if (!finished) void api.operations.cancel({ operationId });
    };
  }, [load, wanted, start, finish]);

  const reload = useCallback(() => setReloads((count) => count + 1), []);
  return { value: state.value, error: state.error, busy: state.for !== wanted, progress: operation.progress, cancel: operation.cancel, reload };
}
