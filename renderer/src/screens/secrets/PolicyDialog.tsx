import { useEffect, useState, type FormEvent } from 'react';
import type { ResultOf } from '../../../../shared/ipc/contract';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { RotationPolicy, RotationRuleView } from '../../../../shared/ipc/rotation.contract';
import { GENERATOR_LIMITS, generatorKinds, type GeneratorKind } from '../../../../shared/rotation';
import { api, messageOf } from '../../api';
import { confirmProtectedWrite } from '../../components/confirm.store';
import { Dialog } from '../../components/Dialog';
import { DueBadge } from '../../components/DueBadge';
import { Icon } from '../../components/Icon';
import { fullTime } from '../../format';
import { useDueItems } from '../../stores/schedule.store';
import { useToasts } from '../../stores/toasts.store';
import { FormError } from '../../components/FormError';
import { RotatorSection } from './RotatorSection';

const GENERATOR_LABELS: Record<GeneratorKind, string> = {
  password: 'Password (letters, digits, symbols)',
  hex: 'Hex',
  base64url: 'Base64url',
  uuid: 'UUID',
  custom: 'Custom alphabet',
  manual: 'Rotated by hand (no generator)',
};

const hasLength = (generator: GeneratorKind): generator is keyof typeof GENERATOR_LIMITS => generator in GENERATOR_LIMITS;

const RULE_TITLES: Record<RotationRuleView['class'], string> = {
  generate: 'Latchkey generates its next value',
  service: 'Rotated where it is checked, by its rotator',
  'by-hand': 'Rotated by hand — Latchkey never overwrites it',
};

/** The rotation rule that applies to this secret now, and why (from main; never the value). */
function RuleNote({ rule }: { rule: RotationRuleView }) {
  const warn = rule.class === 'by-hand' || (rule.class === 'generate' && rule.provider !== undefined);
  return (
    <div className={`rule-note rule-${rule.class}${warn ? ' warn' : ''}`} role="note" aria-label="Rotation rule">
      <strong>{RULE_TITLES[rule.class]}</strong>
      <span>{rule.reason}</span>
      {rule.class === 'generate' && rule.provider !== undefined ? (
        <span>It looks like a {rule.provider} credential: a generated value is not one that service accepts. Choose “Rotated by hand” unless you are sure.</span>
      ) : null}
    </div>
  );
}

/**
 * A secret's rotation policy: how its next value is generated and how often it is due, plus the
 * environment's default period. Where the backend stores metadata only with a value, the policy is
 * saved by rotating with it ("Save and rotate now").
 */
export function PolicyDialog(props: { project: string; environment: EnvironmentView; secretKey: string; onDone(changed: boolean): void }) {
  const { project, environment, secretKey } = props;
  const toast = useToasts((state) => state.show);
  const due = useDueItems(project, environment.name).get(secretKey);
  const [loaded, setLoaded] = useState<ResultOf<'rotation', 'policy'> | undefined>(undefined);
  const [generator, setGenerator] = useState<GeneratorKind>('password');
  const [length, setLength] = useState('');
  const [special, setSpecial] = useState<'safe' | 'all'>('safe');
  const [alphabet, setAlphabet] = useState('');
  const [period, setPeriod] = useState('');
  const [environmentPeriod, setEnvironmentPeriod] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  // Attaching or removing a rotator changes the rule that applies: read the policy again.
  const [rotatorChanges, setRotatorChanges] = useState(0);

  useEffect(() => {
    api.rotation.policy({ project, environment: environment.name, key: secretKey })
      .then((answer) => {
        setLoaded(answer);
        setGenerator(answer.policy.generator);
        setLength(answer.policy.length === undefined ? '' : String(answer.policy.length));
        setSpecial(answer.policy.special ?? 'safe');
        setAlphabet(answer.policy.alphabet ?? '');
        setPeriod(answer.policy.periodDays === undefined ? '' : String(answer.policy.periodDays));
        setEnvironmentPeriod(answer.environmentPeriodDays === undefined ? '' : String(answer.environmentPeriodDays));
      })
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [project, environment.name, secretKey, rotatorChanges]);

  const policy = (): RotationPolicy => ({
    generator,
    ...(hasLength(generator) && length !== '' ? { length: Number(length) } : {}),
    ...(generator === 'password' && special === 'all' ? { special } : {}),
    ...(generator === 'custom' ? { alphabet } : {}),
    ...(period === '' ? {} : { periodDays: Number(period) }),
  });
  const confirmed = environment.protected ? true : undefined;

  const act = async (what: string, action: () => Promise<unknown>, success: string) => {
    if (!(await confirmProtectedWrite(environment, what))) return;
    setBusy(true);
    setError(undefined);
    try {
      await action();
      toast('success', success);
      props.onDone(true);
    } catch (caught) {
      setError(messageOf(caught));
      setBusy(false);
    }
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    void act(`This changes how ${secretKey} is rotated.`, () => api.rotation.setPolicy({ project, environment: environment.name, key: secretKey, policy: policy(), confirmed }), `Saved the rotation policy of ${secretKey}.`);
  };
  const saveAndRotate = () =>
    act(
      `This rotates ${secretKey} now with the new policy.`,
      () => api.rotation.rotate({ project, environment: environment.name, key: secretKey, policy: policy(), confirmed }),
      `Rotated ${secretKey} with the new policy.`,
    );
  const resetToDefault = () =>
    act(`This removes ${secretKey}'s own policy.`, () => api.rotation.setPolicy({ project, environment: environment.name, key: secretKey, policy: null, confirmed }), `${secretKey} now follows the default policy.`);
  const saveEnvironmentPeriod = () =>
    act(
      `This changes the default rotation period of every secret in ${environment.name}.`,
      () => api.rotation.setEnvironmentPeriod({ project, environment: environment.name, days: environmentPeriod === '' ? null : Number(environmentPeriod), confirmed }),
      `Saved the default rotation period of ${environment.name}.`,
    );

  const limits = hasLength(generator) ? GENERATOR_LIMITS[generator] : undefined;
  return (
    <Dialog
      title={`Rotation of ${secretKey}`}
      onClose={() => props.onDone(rotatorChanges > 0)}
      width="wide"
      footer={
        loaded === undefined ? (
          <button type="button" className="btn" onClick={() => props.onDone(rotatorChanges > 0)}>
            Close
          </button>
        ) : (
          <>
            {loaded.text === undefined || !loaded.canStore ? null : (
              <button type="button" className="btn btn-danger-quiet" disabled={busy} onClick={() => void resetToDefault()}>
                Use the default
              </button>
            )}
            <span className="spacer" />
            <button type="button" className="btn" onClick={() => props.onDone(rotatorChanges > 0)}>
              Cancel
            </button>
            {generator === 'manual' ? null : (
              <button type="button" className="btn" disabled={busy} onClick={() => void saveAndRotate()}>
                <Icon name="rotate" /> Save and rotate now
              </button>
            )}
            {loaded.canStore ? (
              <button type="submit" form="policy-form" className="btn btn-primary" disabled={busy}>
                Save policy
              </button>
            ) : null}
          </>
        )
      }
    >
      {loaded === undefined && error === undefined ? <p className="muted">Loading…</p> : null}
      {loaded === undefined ? null : (
        <form className="form" id="policy-form" onSubmit={save}>
          <RuleNote rule={loaded.rule} />
          <p className="muted schedule-line">
            {due?.dueAt === undefined ? `Rotated every ${loaded.periodDays} days.` : `Every ${loaded.periodDays} days; next due ${fullTime(due.dueAt)}.`} <DueBadge item={due} />
          </p>
          <label className="field">
            <span>Generator</span>
            <select value={generator} onChange={(event) => setGenerator(event.target.value as GeneratorKind)} aria-label="Generator">
              {generatorKinds.map((kind) => (
                <option key={kind} value={kind}>
                  {GENERATOR_LABELS[kind]}
                </option>
              ))}
            </select>
          </label>
          {limits === undefined ? null : (
            <label className="field">
              <span>
                Length ({limits.min}–{limits.max}; default {limits.default})
              </span>
              <input type="number" min={limits.min} max={limits.max} value={length} placeholder={String(limits.default)} onChange={(event) => setLength(event.target.value)} aria-label="Length" />
            </label>
          )}
          {generator === 'password' ? (
            <label className="checkbox">
              <input type="checkbox" checked={special === 'all'} onChange={(event) => setSpecial(event.target.checked ? 'all' : 'safe')} />
              <span>All punctuation (by default only symbols that need no quoting in URLs, .env files and shells: - _ . ~ + = ,)</span>
            </label>
          ) : null}
          {generator === 'custom' ? (
            <label className="field">
              <span>Alphabet (each character once)</span>
              <input className="mono" value={alphabet} onChange={(event) => setAlphabet(event.target.value)} aria-label="Alphabet" spellCheck={false} />
            </label>
          ) : null}
          <label className="field">
            <span>Rotate every (days)</span>
            <input
              type="number"
              min={1}
              max={3650}
              value={period}
              placeholder={`${loaded.environmentPeriodDays ?? 90} (the ${loaded.environmentPeriodDays === undefined ? 'default' : `${environment.name} default`})`}
              onChange={(event) => setPeriod(event.target.value)}
              aria-label="Rotation period in days"
            />
          </label>
          {!loaded.canStore ? (
            <p className="hint warn">
              <Icon name="clock" size={14} /> This backend keeps metadata only with a value: the policy is stored by rotating with it.
            </p>
          ) : null}
          <FormError error={error} />
          {/* A setting of the environment, not of this secret: its own section, its own button. */}
          <fieldset className="field env-period">
            <legend>Default period of every secret in {environment.name} without its own</legend>
            <div className="inline-field">
              <input type="number" min={1} max={3650} value={environmentPeriod} placeholder="90" onChange={(event) => setEnvironmentPeriod(event.target.value)} aria-label="Environment rotation period in days" />
              <span className="muted">days</span>
              <button type="button" className="btn" disabled={busy} onClick={() => void saveEnvironmentPeriod()}>
                Save for {environment.name}
              </button>
            </div>
          </fieldset>
        </form>
      )}
      {loaded === undefined ? null : <RotatorSection project={project} environment={environment} secretKey={secretKey} onChanged={() => setRotatorChanges((count) => count + 1)} />}
      {loaded === undefined && error !== undefined ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}
