import { useState, type ReactNode } from 'react';
import { messageOf } from '../api';
import { Dialog } from './Dialog';
import { FormError } from './FormError';

/**
 * A check run on demand (test a connection, a service): its last result, whether it runs, and why it
 * failed. A failed run clears the result, so a stale success never stands next to the error.
 */
export function useTestRun<T>(test: () => Promise<T>): { result: T | undefined; running: boolean; error: string | undefined; run(): Promise<void> } {
  const [result, setResult] = useState<T | undefined>(undefined);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = async () => {
    setRunning(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await test());
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setRunning(false);
    }
  };
  return { result, running, error, run };
}

/** The dialog around such a check: Close, and Run test (Run again once it ran); the error under the content. */
export function TestDialog(props: { title: string; onClose(): void; running: boolean; ran: boolean; error: string | undefined; onRun(): void; children: ReactNode }) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      width="wide"
      footer={
        <>
          <button type="button" className="btn" onClick={props.onClose}>
            Close
          </button>
          <button type="button" className="btn btn-primary" disabled={props.running} onClick={props.onRun}>
            {props.running ? 'Testing…' : props.ran ? 'Run again' : 'Run test'}
          </button>
        </>
      }
    >
      {props.children}
      <FormError error={props.error} />
    </Dialog>
  );
}
