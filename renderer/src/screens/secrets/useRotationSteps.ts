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
 * Follows a rotation that may happen at a service: `start()` gives the operation id to pass to
 * rotation.rotate, and each `rotation.step` event for it is added as it arrives (names and times only;
 * never a value). The panel opens at once when the row is known to have a rotator, and otherwise on the
 * first step main reports — a rotator attached elsewhere a moment ago still shows its steps.
 */
export function useRotationSteps() {
  const [live, setLive] = useState<LiveRotation | undefined>(undefined);
  const current = useRef<{ operationId: string; key: string } | undefined>(undefined);
  // Whether the panel is open for the current rotation (read right after the call returns).
  const shown = useRef(false);

  useEffect(
    () =>
      api.events.on('rotation.step', (payload) => {
        const following = current.current;
        if (following === undefined || payload.operationId !== following.operationId) return;
        shown.current = true;
        setLive((open) => (open === undefined ? { key: following.key, service: payload.service, steps: [payload] } : { ...open, steps: [...open.steps, payload] }));
      }),
    [],
  );

  const start = useCallback((key: string, service: string | undefined) => {
    const operationId = crypto.randomUUID();
    current.current = { operationId, key };
    shown.current = service !== undefined;
    setLive(service === undefined ? undefined : { key, service, steps: [] });
    return operationId;
  }, []);
  /** Shows the result in the panel; false when there is no panel (the stored copy only: the caller says so). */
  const succeeded = useCallback((result: ResultOf<'rotation', 'rotate'>) => {
    if (!shown.current && result.changedAt === undefined) return false;
    shown.current = true;
    setLive((open) => ({ key: open?.key ?? current.current?.key ?? '', service: open?.service ?? result.changedAt ?? '', steps: open?.steps ?? [], result }));
    return true;
  }, []);
  /** Shows the failure in the panel; false when there is no panel. */
  const failed = useCallback((error: string) => {
    if (!shown.current) return false;
    setLive((open) => (open === undefined ? open : { ...open, error }));
    return true;
  }, []);
  const close = useCallback(() => {
    current.current = undefined;
    shown.current = false;
    setLive(undefined);
  }, []);

  return { live, start, succeeded, failed, close };
}
