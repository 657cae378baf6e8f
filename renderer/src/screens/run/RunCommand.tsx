import { useEffect, useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import { runCommandFor } from '../../../../shared/run-command';
import { api, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
import { useToasts } from '../../stores/toasts.store';

type WatchedRun = ResultOf<'run', 'watched'>['runs'][number];

/** How often the list of watched programs is looked at again while the environment is open. */
const WATCHED_REFRESH_MS = 10_000;

/**
 * How to start a program with this environment's secrets: the `latchkey run` command, and Copy. The
 * command names the environment, never a value; main builds the copied text from the names, so the
 * page cannot choose what someone pastes into a terminal. Below it, the programs `latchkey run --watch`
 * keeps running with these secrets, and which keys each uses: a change to one of them restarts it.
 */
export function RunCommand({ project, environment }: { project: string; environment: string }) {
  const toast = useToasts((state) => state.show);
  const [watched, setWatched] = useState<WatchedRun[]>([]);

  useEffect(() => {
    let current = true;
    const load = async () => {
      try {
        const { runs } = await api.run.watched({ project, environment });
        if (current) setWatched(runs);
      } catch {
        // Only a hint: when it cannot be read, nothing is shown.
        if (current) setWatched([]);
      }
    };
    void load();
    const timer = setInterval(() => void load(), WATCHED_REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [project, environment]);

  const onCopy = async () => {
    try {
      await api.run.copyCommand({ project, environment });
      toast('success', 'Copied. Paste it in a terminal and add your command after --.');
    } catch (caught) {
      toast('error', messageOf(caught));
    }
  };
  const command = runCommandFor(project, environment);
  return (
    <div className="run-command-area">
      <div className="run-command" role="group" aria-label={`Run a program with the secrets of ${environment}`}>
        <span className="muted run-command-label">Run with these secrets</span>
        <code className="run-command-text" data-testid="run-command" title={`${command}<your command> — the program gets the secrets as environment variables, never in its arguments`}>
          {command}
          <span className="run-command-placeholder">&lt;your command&gt;</span>
        </code>
        <button type="button" className="btn" onClick={() => void onCopy()} aria-label="Copy the latchkey run command">
          <Icon name="copy" /> Copy
        </button>
      </div>
      {watched.length === 0 ? null : (
        <ul className="watched-runs" aria-label="Programs running with these secrets">
          {watched.map((run) => (
            <li key={run.pid} className="muted">
              <Icon name="refresh" size={14} />
              <span className="mono">{run.command}</span> (pid {run.pid}) restarts when {run.keys.length === 1 ? '' : 'one of '}
              <span className="mono">{run.keys.slice(0, 12).join(', ')}</span>
              {run.keys.length > 12 ? ` and ${run.keys.length - 12} more` : ''} changes
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
