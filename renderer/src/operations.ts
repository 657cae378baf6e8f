import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload } from '../../shared/ipc/events';
import { api } from './api';

/**
 * Follows one long call: `start()` gives a fresh operation id to pass in the call's request; progress
 * events for that id update `progress`; `cancel()` asks main to stop it.
 */
export function useOperation() {
  const [progress, setProgress] = useState<EventPayload<'operation.progress'> | undefined>(undefined);
  const current = useRef<string | undefined>(undefined);

  useEffect(
    () =>
      api.events.on('operation.progress', (payload) => {
        if (payload.operationId === current.current) setProgress(payload);
      }),
    [],
  );

  const start = useCallback(() => {
    const operationId = crypto.randomUUID();
    current.current = operationId;
    setProgress(undefined);
    return operationId;
  }, []);

  const cancel = useCallback(async () => {
    const operationId = current.current;
    if (operationId !== undefined) await api.operations.cancel({ operationId });
  }, []);

  const finish = useCallback(() => {
    current.current = undefined;
    setProgress(undefined);
  }, []);

  return { progress, start, cancel, finish };
}
