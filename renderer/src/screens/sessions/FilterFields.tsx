import type { SessionFilterInput } from '../../../../shared/ipc/sessions.contract';
import { Icon } from '../../components/Icon';

/**
 * The Filter search: conditions on any metadata field (or user_id, device_id), and when sessions were
 * created or expire. Every condition must hold; "before" is strictly earlier, "after" is at or later.
 * Times are typed in local time and sent as ISO 8601.
 */
export interface FilterDraft {
  where: { field: string; value: string }[];
  createdAfter: string;
  createdBefore: string;
  expiresAfter: string;
  expiresBefore: string;
}

export const EMPTY_FILTER: FilterDraft = { where: [{ field: 'app_version', value: '' }], createdAfter: '', createdBefore: '', expiresAfter: '', expiresBefore: '' };

const SUGGESTED_FIELDS = ['app_version', 'device_type', 'os', 'user_id', 'device_id'];
const TIMES: { name: keyof Omit<FilterDraft, 'where'>; label: string }[] = [
  { name: 'createdAfter', label: 'Created after' },
  { name: 'createdBefore', label: 'Created before' },
  { name: 'expiresAfter', label: 'Expires after' },
  { name: 'expiresBefore', label: 'Expires before' },
];

/** The draft as the contract's filter, or undefined while it names nothing. */
export function filterOfDraft(draft: FilterDraft): SessionFilterInput | undefined {
  const where = draft.where.map(({ field, value }) => ({ field: field.trim(), value: value.trim() })).filter(({ field, value }) => field !== '' && value !== '');
  const filter: SessionFilterInput = where.length > 0 ? { where } : {};
  for (const { name } of TIMES) {
    const at = draft[name] === '' ? Number.NaN : new Date(draft[name]).getTime();
    if (!Number.isNaN(at)) filter[name] = new Date(at).toISOString();
  }
  return Object.keys(filter).length === 0 ? undefined : filter;
}

export function FilterFields({ draft, onChange, firstInput }: { draft: FilterDraft; onChange(draft: FilterDraft): void; firstInput?: React.Ref<HTMLInputElement> }) {
  const setCondition = (index: number, change: Partial<FilterDraft['where'][number]>) => onChange({ ...draft, where: draft.where.map((condition, i) => (i === index ? { ...condition, ...change } : condition)) });
  return (
    <div className="filter-fields">
      <datalist id="session-filter-fields">
        {SUGGESTED_FIELDS.map((field) => (
          <option key={field} value={field} />
        ))}
      </datalist>
      {draft.where.map((condition, index) => (
        <div key={index} className="filter-condition">
          <input
            className="plain-input"
            list="session-filter-fields"
            value={condition.field}
            placeholder="field"
            aria-label={`Condition ${index + 1} field`}
            onChange={(event) => setCondition(index, { field: event.target.value })}
            spellCheck={false}
          />
          <span className="muted">=</span>
          <input
            ref={index === 0 ? firstInput : undefined}
            className="plain-input"
            value={condition.value}
            placeholder="value"
            aria-label={`Condition ${index + 1} value`}
            onChange={(event) => setCondition(index, { value: event.target.value })}
            spellCheck={false}
          />
          {draft.where.length === 1 ? null : (
            <button type="button" className="icon-btn" aria-label={`Remove condition ${index + 1}`} onClick={() => onChange({ ...draft, where: draft.where.filter((_, i) => i !== index) })}>
              <Icon name="close" />
            </button>
          )}
        </div>
      ))}
      {draft.where.length >= 16 ? null : (
        <button type="button" className="btn" onClick={() => onChange({ ...draft, where: [...draft.where, { field: '', value: '' }] })}>
          <Icon name="plus" /> Condition
        </button>
      )}
      <div className="filter-times">
        {TIMES.map(({ name, label }) => (
          <label key={name} className="field compact">
            <span>{label}</span>
            <input type="datetime-local" value={draft[name]} aria-label={label} onChange={(event) => onChange({ ...draft, [name]: event.target.value })} />
          </label>
        ))}
      </div>
    </div>
  );
}
