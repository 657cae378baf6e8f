import { memo, useState } from 'react';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { DueItem } from '../../../../shared/ipc/rotation.contract';
import type { SecretItem } from '../../../../shared/ipc/secrets.contract';
import { api, messageOf } from '../../api';
import { DueBadge } from '../../components/DueBadge';
import { Icon } from '../../components/Icon';
import { fullTime, timeAgo } from '../../format';
import type { RotatorSummary } from '../../stores/rotators.store';
import { useToasts } from '../../stores/toasts.store';
import { REVEAL_SECONDS, useReveal } from './useReveal';

export interface RowActions {
  onEdit(item: SecretItem): void;
  onDelete(item: SecretItem): void;
  onHistory(item: SecretItem): void;
  onRotate(item: SecretItem): void;
  onPolicy(item: SecretItem): void;
}

/**
 * One secret of the list. Memoized: a keystroke in the search re-renders only the rows whose item
 * changed, and the list is virtualized, so only the rows in view exist at all (`index` and `measure`
 * let the list measure a row whose note or revealed value makes it taller). A revealed value lives
 * in this row's state, so it is also hidden when its row scrolls far out of view.
 */
export const SecretRow = memo(function SecretRow({
  project,
  environment,
  item,
  actions,
  due,
  rotator,
  rotating = false,
  index,
  measure,
}: {
  project: string;
  environment: EnvironmentView;
  item: SecretItem;
  actions: RowActions;
  due?: DueItem | undefined;
  /** Its rotator: rotating changes the credential at this service. */
  rotator?: RotatorSummary | undefined;
  rotating?: boolean;
  index: number;
  measure(row: HTMLTableRowElement | null): void;
}) {
  const { value, secondsLeft, reveal, hide } = useReveal(project, environment.name, item.key);
  const toast = useToasts((state) => state.show);
  // A failure (a remote backend refusing, unreachable…) is shown on the row it happened to.
  const [error, setError] = useState<string | undefined>(undefined);

  const onReveal = () => {
    setError(undefined);
    reveal().catch((caught: unknown) => setError(messageOf(caught)));
  };
  const onCopy = async () => {
    setError(undefined);
    try {
      const { clearAfterSeconds } = await api.secrets.copy({ project, environment: environment.name, key: item.key });
      toast('success', `Copied ${item.key}. The clipboard is cleared in ${clearAfterSeconds} s.`);
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  if (item.damaged !== undefined) return <DamagedRow item={item} index={index} measure={measure} onDelete={() => actions.onDelete(item)} />;
  const byHand = due?.class === 'by-hand';

  return (
    <tr className="secret-row" data-key={item.key} data-index={index} aria-rowindex={index + 2} ref={measure}>
      <td className="cell-key">
        <span className="key-line">
          <span className="mono">{item.key}</span>
          <DueBadge item={due} />
          {rotator === undefined ? null : (
            <span className="pill pill-service" title={`Rotates at ${rotator.where}`} aria-label={`Rotates at ${rotator.name}`}>
              <Icon name="server" size={12} /> {rotator.name}
            </span>
          )}
          {byHand && rotator === undefined ? (
            <span className="pill pill-by-hand" title={due?.reason}>
              by hand
            </span>
          ) : null}
        </span>
        {item.note === '' ? null : <span className="note">{item.note}</span>}
        {/* Shown instead of the Updated column where the list is narrow. */}
        <span className="key-updated muted" aria-hidden="true">
          {timeAgo(item.updatedAt)}
          {item.version === undefined ? '' : ` · v${item.version}`}
        </span>
        {error === undefined ? null : (
          <span className="row-error" role="alert">
            {error}
          </span>
        )}
      </td>
      <td className="cell-value">
        {value === undefined ? (
          <span className="masked" aria-label={`${item.key} value hidden`}>
            ••••••••••••
          </span>
        ) : (
          <span className="revealed">
            <code className="mono value" data-testid="revealed-value">
              {value}
            </code>
            <span className="countdown" role="timer" aria-label={`hides in ${secondsLeft} seconds`}>
              <span className="countdown-bar" style={{ width: `${(secondsLeft / REVEAL_SECONDS) * 100}%` }} />
            </span>
          </span>
        )}
      </td>
      <td className="cell-time" title={fullTime(item.updatedAt)}>
        {timeAgo(item.updatedAt)}
        {item.version === undefined ? null : <span className="version">v{item.version}</span>}
      </td>
      <td className="cell-actions">
        {value === undefined ? (
          <button type="button" className="icon-btn" aria-label={`Reveal ${item.key}`} title="Reveal for 20 s" onClick={onReveal}>
            <Icon name="eye" />
          </button>
        ) : (
          <button type="button" className="icon-btn" aria-label={`Hide ${item.key}`} title="Hide" onClick={hide}>
            <Icon name="eyeOff" />
          </button>
        )}
        <button type="button" className="icon-btn" aria-label={`Copy ${item.key}`} title="Copy (cleared after 30 s)" onClick={onCopy}>
          <Icon name="copy" />
        </button>
        <button
          type="button"
          className="icon-btn"
          aria-label={`Rotate ${item.key}`}
          title={rotator !== undefined ? `Rotate now at ${rotator.where}: set, tested, then the old credential retired` : byHand ? 'Rotated by hand: Latchkey will not overwrite it (see its policy)' : 'Rotate now: a new generated value, as a new version (Undo in the notice)'}
          disabled={rotating}
          onClick={() => actions.onRotate(item)}
        >
          <Icon name="rotate" />
        </button>
        <button type="button" className="icon-btn" aria-label={`Rotation policy of ${item.key}`} title="Rotation policy and schedule" onClick={() => actions.onPolicy(item)}>
          <Icon name="calendar" />
        </button>
        <button type="button" className="icon-btn" aria-label={`Edit ${item.key}`} title="Edit" onClick={() => actions.onEdit(item)}>
          <Icon name="edit" />
        </button>
        {environment.features.versions ? (
          <button type="button" className="icon-btn" aria-label={`History of ${item.key}`} title="History" onClick={() => actions.onHistory(item)}>
            <Icon name="history" />
          </button>
        ) : null}
        <button type="button" className="icon-btn danger" aria-label={`Delete ${item.key}`} title="Delete" onClick={() => actions.onDelete(item)}>
          <Icon name="trash" />
        </button>
      </td>
    </tr>
  );
});

/** A secret whose file is damaged: listed with what to do; it can only be deleted (then set again). */
function DamagedRow({ item, index, measure, onDelete }: { item: SecretItem; index: number; measure(row: HTMLTableRowElement | null): void; onDelete(): void }) {
  return (
    <tr className="secret-row row-damaged" data-key={item.key} data-damaged="true" data-index={index} aria-rowindex={index + 2} ref={measure}>
      <td className="cell-key">
        <span className="key-line">
          <span className="mono">{item.key}</span>
          <span className="pill pill-unreadable">damaged</span>
        </span>
        <span className="row-error" role="alert">
          {item.damaged}
        </span>
      </td>
      <td className="cell-value muted">—</td>
      <td className="cell-time" />
      <td className="cell-actions">
        <button type="button" className="icon-btn danger" aria-label={`Delete ${item.key}`} title="Delete (then set it again)" onClick={onDelete}>
          <Icon name="trash" />
        </button>
      </td>
    </tr>
  );
}
