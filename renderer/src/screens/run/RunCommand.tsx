import { runCommandFor } from '../../../../shared/run-command';
import { api, messageOf } from '../../api';
import { Icon } from '../../components/Icon';
import { useToasts } from '../../stores/toasts.store';

/**
 * How to start a program with this environment's secrets: the `latchkey run` command, and Copy. The
 * command names the environment, never a value; main builds the copied text from the names, so the
 * page cannot choose what someone pastes into a terminal.
 */
export function RunCommand({ project, environment }: { project: string; environment: string }) {
  const toast = useToasts((state) => state.show);
  const onCopy = async () => {
    try {
      await api.run.copyCommand({ project, environment });
      toast('success', 'Copied. Paste it in a terminal and add your command after --.');
    } catch (caught) {
      toast('error', messageOf(caught));
    }
  };
  return (
    <div className="run-command" role="group" aria-label={`Run a program with the secrets of ${environment}`}>
      <span className="muted run-command-label">Run with these secrets</span>
      <code className="run-command-text" data-testid="run-command" title={`${runCommandFor(project, environment)}<your command> — the program gets the secrets as environment variables, never in its arguments`}>
        {runCommandFor(project, environment)}
        <span className="run-command-placeholder">&lt;your command&gt;</span>
      </code>
      <button type="button" className="btn" onClick={() => void onCopy()} aria-label="Copy the latchkey run command">
        <Icon name="copy" /> Copy
      </button>
    </div>
  );
}
