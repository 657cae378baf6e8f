import { useState } from 'react';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { RestoreTargetView } from '../../../../shared/ipc/snapshots.contract';
import { Icon } from '../../components/Icon';
import { RestoreDialog } from '../snapshots/RestoreDialog';

/**
 * Undo on an import's result: the keys it wrote are restored from the snapshot taken just before it —
 * a changed key gets its value from before back (as a new version), a created key is deleted (ticked,
 * and shown in the preview first).
 */
interface ImportOutcome {
  results: { key: string; ok: boolean; action: string }[];
  snapshot_id?: string | undefined;
}

interface UndoPlan {
  target: RestoreTargetView;
  keys: string[];
  created: string[];
}

function undoPlanOf(result: ImportOutcome | undefined): UndoPlan | undefined {
  if (result?.snapshot_id === undefined) return undefined;
  const written = result.results.filter((item) => item.ok && (item.action === 'created' || item.action === 'updated'));
  if (written.length === 0) return undefined;
  return { target: { snapshot: result.snapshot_id }, keys: written.map((item) => item.key), created: written.filter((item) => item.action === 'created').map((item) => item.key) };
}

export function useUndoImport() {
  const [dialog, setDialog] = useState<UndoPlan | undefined>(undefined);
  return {
    dialog,
    open: (result: ImportOutcome) => setDialog(undoPlanOf(result)),
    render: (project: string, environment: EnvironmentView, onDone: (changed: boolean) => void) =>
      dialog === undefined ? null : (
        <RestoreDialog
          project={project}
          environment={environment}
          target={dialog.target}
          keys={dialog.keys}
          initialDelete={dialog.created}
          title={`Undo the import into ${environment.name}`}
          intro={<p>The secrets this import wrote get their value from before it back; the ones it created are deleted.</p>}
          // Whether or not the undo ran, the import itself changed the environment.
          onDone={() => onDone(true)}
        />
      ),
  };
}

export function UndoImportButton(props: { result: ImportOutcome | undefined; onUndo: (result: ImportOutcome) => void }) {
  const { result } = props;
  if (undoPlanOf(result) === undefined || result === undefined) return null;
  return (
    <button type="button" className="btn" onClick={() => props.onUndo(result)}>
      <Icon name="undo" /> Undo import
    </button>
  );
}
