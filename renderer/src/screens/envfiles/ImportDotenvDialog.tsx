import { useEffect, useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import type { DotenvPreview } from '../../../../shared/ipc/envfiles.contract';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import { api, messageOf } from '../../api';
import { Dialog, WriteOnceFooter } from '../../components/Dialog';
import { plural } from '../../format';
import { useToasts } from '../../stores/toasts.store';
import { TypedNameField } from './TypedNameField';
import { WriteResults } from './WriteResults';
import { FormError } from '../../components/FormError';
import { UndoImportButton, useUndoImport } from './UndoImport';

/**
 * A .env import: what it adds and changes (by name) — each can be unticked to leave that secret as it is —
 * what dotenv would otherwise do silently (a name set twice, lines it skips), then apply; a protected
 * environment needs its name typed.
 */
export function ImportDotenvDialog(props: { project: string; environment: EnvironmentView; fileId: string; path: string; onDone(changed: boolean): void }) {
  const { project, environment, fileId } = props;
  const [preview, setPreview] = useState<DotenvPreview | undefined>(undefined);
  const [result, setResult] = useState<ResultOf<'envfiles', 'applyImport'> | undefined>(undefined);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [unticked, setUnticked] = useState<ReadonlySet<string>>(new Set());
  const toast = useToasts((state) => state.show);
  const toggle = (key: string) => {
    const next = new Set(unticked);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setUnticked(next);
  };
  const undo = useUndoImport();

  useEffect(() => {
    api.envfiles.previewImport({ project, environment: environment.name, fileId })
      .then(setPreview)
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [project, environment.name, fileId]);

  const candidates = preview === undefined ? [] : [...preview.added, ...preview.changed];
  const chosen = candidates.filter((key) => !unticked.has(key));
  const writes = chosen.length;
  const ready = !busy && writes > 0 && result === undefined && (!environment.protected || typed === environment.name);
  const apply = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const applied = await api.envfiles.applyImport({
        project,
        environment: environment.name,
        fileId,
        typedNames: environment.protected ? [typed] : [],
        ...(unticked.size === 0 ? {} : { keys: chosen }),
      });
      setResult(applied);
      const failed = applied.results.filter((item) => !item.ok).length;
      toast(failed === 0 ? 'success' : 'error', failed === 0 ? `Imported ${plural(applied.results.length, 'secret')} into ${environment.name}.` : `${failed} of ${plural(applied.results.length, 'secret')} could not be imported.`);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const list = (title: string, keys: string[], tone: string, tickable: boolean) =>
    keys.length === 0 ? null : (
      <div className="import-group">
        <h3>
          {title} <span className="muted">({keys.length})</span>
        </h3>
        <ul className={`key-list ${tone}`}>
          {keys.map((key) => (
            <li key={key} className="mono">
              {tickable ? (
                <label>
                  <input type="checkbox" checked={!unticked.has(key)} onChange={() => toggle(key)} aria-label={`Import ${key}`} />
                  {key}
                </label>
              ) : (
                key
              )}
            </li>
          ))}
        </ul>
      </div>
    );
  const notes = (title: string, items: { id: string; text: string }[]) =>
    items.length === 0 ? null : (
      <div className="import-group">
        <h3>
          {title} <span className="muted">({items.length})</span>
        </h3>
        <ul className="key-list">
          {items.map((item) => (
            <li key={item.id}>{item.text}</li>
          ))}
        </ul>
      </div>
    );

  if (undo.dialog !== undefined) return undo.render(project, environment, props.onDone);

  return (
    <Dialog
      title={`Import .env into ${environment.name}`}
      onClose={() => props.onDone(result !== undefined)}
      width="wide"
      footer={
        <WriteOnceFooter finished={result !== undefined} onDone={props.onDone} finishedStart={<UndoImportButton result={result} onUndo={undo.open} />}>
          <button type="button" className="btn btn-primary" disabled={!ready} onClick={() => void apply()}>
            Import {writes} secret{writes === 1 ? '' : 's'}
          </button>
        </WriteOnceFooter>
      }
    >
      <p className="muted mono path">{props.path}</p>
      {preview === undefined && error === undefined ? <p className="muted">Reading the file…</p> : null}
      {preview === undefined || result !== undefined ? null : (
        <>
          {candidates.length === 0 ? <p>Nothing to import: every variable of this file is already in {environment.name} with the same value.</p> : null}
          {list('Added', preview.added, 'added', true)}
          {list('Changed', preview.changed, 'changed', true)}
          {list('Unchanged', preview.unchanged, 'unchanged', false)}
          {notes(
            'Set more than once',
            preview.duplicates.map((item) => ({ id: item.key, text: `${item.key}: lines ${item.lines.join(', ')} — line ${item.lines.at(-1)} is imported` })),
          )}
          {notes(
            'Skipped lines',
            preview.ignored.map((item) => ({ id: String(item.line), text: `Line ${item.line}: ${item.reason}` })),
          )}
          {preview.invalid.length === 0 ? null : (
            <div className="import-group">
              <h3>
                Ignored <span className="muted">({preview.invalid.length})</span>
              </h3>
              <ul className="key-list">
                {preview.invalid.map((item) => (
                  <li key={item.key}>
                    <span className="mono">{item.key}</span> <span className="muted">— {item.reason}</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {environment.protected && writes > 0 ? <TypedNameField name={environment.name} value={typed} onChange={setTyped} /> : null}
        </>
      )}
      {result === undefined ? null : <WriteResults results={result.results} />}
      <FormError error={error} />
    </Dialog>
  );
}
