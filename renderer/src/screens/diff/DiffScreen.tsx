import { useEffect, useState } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import type { ComparisonCell } from '../../../../shared/ipc/diff.contract';
import type { ProjectView } from '../../../../shared/ipc/projects.contract';
import { api, messageOf } from '../../api';
import { EnvironmentPill } from '../../components/EnvironmentPill';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { useOperation } from '../../operations';
import { useToasts } from '../../stores/toasts.store';
import { CopyDialog } from './CopyDialog';
import { ErrorBanner } from '../../components/ErrorBanner';

type Comparison = ResultOf<'diff', 'compare'>;
type RowState = 'same' | 'different' | 'missing' | 'unreadable';

const GROUP_NAMES = 'ABCDEFGH';

/** What a row says across the compared environments. */
function rowState(cells: ComparisonCell[]): RowState {
  if (cells.some((cell) => cell.state === 'unreadable')) return 'unreadable';
  if (cells.some((cell) => cell.state === 'missing')) return 'missing';
  const groups = new Set(cells.map((cell) => (cell.state === 'value' ? cell.group : -1)));
  return groups.size === 1 ? 'same' : 'different';
}

/**
 * A project's environments side by side: per key, missing / different / same, computed in main from
 * keyed fingerprints (equal letters in a row mean equal values; no value reaches this screen). Selected
 * keys can be copied from one environment to another.
 */
export function DiffScreen({ project }: { project: ProjectView }) {
  const names = project.environments.map((environment) => environment.name);
  const [chosen, setChosen] = useState<string[]>(names.slice(0, 6));
  const [comparison, setComparison] = useState<Comparison | undefined>(undefined);
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [copying, setCopying] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(true);
  const [requested, setRequested] = useState(0);
  const { progress, start, finish, cancel } = useOperation();
  const toast = useToasts((state) => state.show);

  // Compares whenever the chosen environments change or "Compare again" is asked; every state change
  // happens when the answer arrives.
  useEffect(() => {
    if (chosen.length < 2) return undefined;
    let live = true;
    const operationId = start();
    api.diff.compare({ project: project.name, environments: chosen, operationId })
      .then((answer) => {
        if (!live) return;
        setComparison(answer);
        setError(undefined);
      })
      .catch((caught: unknown) => {
        if (live) setError(messageOf(caught));
      })
      .finally(() => {
        finish();
        if (live) setBusy(false);
      });
    return () => {
      live = false;
    };
  }, [project.name, chosen, requested, start, finish]);

  const compareAgain = () => {
    setBusy(true);
    setRequested(requested + 1);
  };

  const toggle = (name: string) => {
    setSelected(new Set());
    setBusy(true);
    setComparison(undefined);
    setChosen(chosen.includes(name) ? chosen.filter((candidate) => candidate !== name) : names.filter((candidate) => candidate === name || chosen.includes(candidate)).slice(0, 6));
  };

  const rows = (comparison?.rows ?? []).map((row) => ({ ...row, state: rowState(row.cells) }));
  const visible = onlyDifferences ? rows.filter((row) => row.state !== 'same') : rows;
  const counts = { same: 0, different: 0, missing: 0, unreadable: 0 };
  for (const row of rows) counts[row.state] += 1;
  const columns = comparison?.environments.map((environment) => project.environments.find((candidate) => candidate.name === environment.name)) ?? [];

  return (
    <section className="screen diff" aria-label="Compare environments">
      <header className="screen-header">
        <h1>
          <Icon name="columns" size={18} /> Compare {project.name}
        </h1>
        <p className="muted">Values are compared in Latchkey&apos;s main process by keyed fingerprint; none is shown here. Equal letters in a row mean equal values.</p>
      </header>
      <div className="toolbar">
        <div className="env-choice" role="group" aria-label="Environments to compare">
          {project.environments.map((environment) => (
            <label key={environment.name} className="checkbox">
              <input type="checkbox" checked={chosen.includes(environment.name)} onChange={() => toggle(environment.name)} aria-label={`Compare ${environment.name}`} />
              <EnvironmentPill environment={environment} />
            </label>
          ))}
        </div>
        <span className="spacer" />
        <label className="checkbox">
          <input type="checkbox" checked={onlyDifferences} onChange={(event) => setOnlyDifferences(event.target.checked)} />
          <span>Only differences</span>
        </label>
        <button type="button" className="btn" disabled={busy} onClick={compareAgain}>
          Compare again
        </button>
        <button type="button" className="btn btn-primary" disabled={selected.size === 0} onClick={() => setCopying(true)}>
          Copy {selected.size} selected…
        </button>
      </div>
      {busy && chosen.length >= 2 ? <ProgressBar progress={progress} label="Comparing" onCancel={() => void cancel()} /> : null}
      <ErrorBanner error={error} />
      {chosen.length < 2 ? <p className="muted empty-search">Choose at least two environments.</p> : null}
      {comparison === undefined || chosen.length < 2 ? null : (
        <>
          <p className="muted diff-summary">
            {rows.length} keys: {counts.same} same, {counts.different} different, {counts.missing} missing somewhere{counts.unreadable === 0 ? '' : `, ${counts.unreadable} unreadable`}
          </p>
          <table className="data-table diff-table">
            <thead>
              <tr>
                <th aria-label="Select" />
                <th>Key</th>
                {columns.map((environment, index) => (
                  <th key={comparison.environments[index]?.name}>{environment === undefined ? comparison.environments[index]?.name : <EnvironmentPill environment={environment} />}</th>
                ))}
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {visible.map((row) => (
                <tr key={row.key} data-key={row.key} data-state={row.state}>
                  <td>
                    <input
                      type="checkbox"
                      checked={selected.has(row.key)}
                      aria-label={`Select ${row.key}`}
                      onChange={() => {
                        const next = new Set(selected);
                        if (next.has(row.key)) next.delete(row.key);
                        else next.add(row.key);
                        setSelected(next);
                      }}
                    />
                  </td>
                  <td className="mono">{row.key}</td>
                  {row.cells.map((cell, index) => (
                    <td key={comparison.environments[index]?.name} className={`diff-cell cell-${cell.state}`}>
                      {cell.state === 'value' ? <span className={`group group-${cell.group % GROUP_NAMES.length}`}>{GROUP_NAMES[cell.group % GROUP_NAMES.length]}</span> : cell.state === 'missing' ? '—' : '?'}
                    </td>
                  ))}
                  <td>
                    <span className={`pill pill-${row.state}`}>{row.state}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {copying ? (
        <CopyDialog
          project={project}
          environments={chosen}
          keys={[...selected].sort()}
          onDone={(changed) => {
            setCopying(false);
            if (changed) {
              setSelected(new Set());
              toast('success', 'Copied.');
              compareAgain();
            }
          }}
        />
      ) : null}
    </section>
  );
}
