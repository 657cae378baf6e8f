import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload } from '../../../../shared/ipc/events';
import type { ResultOf } from '../../../../shared/ipc/contract';
import { api } from '../../api';

export type RotationStepEvent = EventPayload<'rotation.step'>;

/** One rotation at a service as the panel shows it: the steps reported so far, then its result or failure. */
export interface LiveRotation {
  key: string;
  service: string;
  steps: RotationStepEvent[];
  result?: ResultOf<'rotation', 'rotate'>;
  error?: string;
}

/**
 * Follows a rotation at a service: `start()` gives the operation id to pass to rotation.rotate, and
 * each `rotation.step` event for it is added as it arrives (names and times only; never a value).
 */
export function useRotationSteps() {
  const [live, setLive] = useState<LiveRotation | undefined>(undefined);
  const current = useRef<string | undefined>(undefined);

  useEffect(
    () =>
      api.events.on('rotation.step', (payload) => {
        if (payload.operationId !== current.current) return;
        setLive((shown) => (shown === undefined ? shown : { ...shown, steps: [...shown.steps, payload] }));
      }),
    [],
  );

  const start = useCallback((key: string, service: string) => {
    const operationId = crypto.randomUUID();
    current.current = operationId;
    setLive({ key, service, steps: [] });
    return operationId;
  }, []);
  const succeeded = useCallback((result: ResultOf<'rotation', 'rotate'>) => setLive((shown) => (shown === undefined ? shown : { ...shown, result })), []);
  const failed = useCallback((error: string) => setLive((shown) => (shown === undefined ? shown : { ...shown, error })), []);
  const close = useCallback(() => {
    current.current = undefined;
    setLive(undefined);
  }, []);

  return { live, start, succeeded, failed, close };
}
