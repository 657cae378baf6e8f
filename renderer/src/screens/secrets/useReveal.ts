import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { useUi } from '../../stores/ui.store';

/** How long a revealed value stays on screen. */
export const REVEAL_SECONDS = 20;

/**
 * A revealed value, held in this component's state only (never a store, never storage) and dropped
 * after REVEAL_SECONDS, when the row unmounts, or when everything is hidden at once.
 */
export function useReveal(project: string, environment: string, key: string) {
  const [revealed, setRevealed] = useState<{ value: string; until: number } | undefined>(undefined);
  const [now, setNow] = useState(() => Date.now());
  const hideEpoch = useUi((state) => state.hideEpoch);
  const [seenEpoch, setSeenEpoch] = useState(hideEpoch);

  if (seenEpoch !== hideEpoch) {
    setSeenEpoch(hideEpoch);
    setRevealed(undefined);
  }

  useEffect(() => {
    if (revealed === undefined) return;
    const tick = setInterval(() => {
      const current = Date.now();
      if (current >= revealed.until) setRevealed(undefined);
      else setNow(current);
    }, 250);
    return () => clearInterval(tick);
  }, [revealed]);

  const reveal = useCallback(async () => {
    const { value } = await api.secrets.reveal({ project, environment, key });
    const start = Date.now();
    setNow(start);
    setRevealed({ value, until: start + REVEAL_SECONDS * 1000 });
  }, [project, environment, key]);

  const hide = useCallback(() => setRevealed(undefined), []);

  return {
    value: revealed?.value,
    secondsLeft: revealed === undefined ? 0 : Math.max(0, Math.ceil((revealed.until - now) / 1000)),
    reveal,
    hide,
  };
}
