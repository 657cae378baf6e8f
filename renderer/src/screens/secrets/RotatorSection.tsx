import { useEffect, useState } from 'react';
import type { EnvironmentView } from '../../../../shared/ipc/projects.contract';
import type { RotatorDraft, RotatorView } from '../../../../shared/ipc/rotators.contract';
import type { CheckStepView, RotationStrategy, ServiceKind } from '../../../../shared/ipc/services.contract';
import { api, messageOf } from '../../api';
import { confirm, confirmProtectedWrite } from '../../components/confirm.store';
import { FormError } from '../../components/FormError';
import { Icon } from '../../components/Icon';
import { CheckSteps } from '../../components/StepList';
import { useServices, useKind } from '../../stores/services.store';
import { useToasts } from '../../stores/toasts.store';
import { ROTATOR_KIND_LABELS } from '../services/service-form';

const COMMAND = '__command__';
const NOWHERE = '';

const STRATEGY_LABELS: Record<RotationStrategy, string> = { single: 'Single user', alternating: 'Alternating users', dual: 'Both valid until finish' };
const STRATEGY_HINTS: Record<RotationStrategy, string> = {
  single: 'Its password changes; apps still holding the old one fail until they read the new one.',
  alternating: 'The inactive user changes, then the secret switches to it: the old user keeps working meanwhile.',
  dual: 'The service keeps both valid until finish; the old one is retired after the grace period.',
};

const USER_LABELS: Record<ServiceKind, string> = { postgres: 'Role', mysql: 'User', redis: 'ACL user', 'aws-iam': 'IAM user', command: 'User' };

/** The form's text fields; numbers stay text until sent, so an empty field means "the default". */
interface Form {
  target: string;
  user: string;
  userB: string;
  strategy: RotationStrategy | '';
  self: boolean;
  grace: string;
  timeout: string;
  command?: { fileId?: string; path: string };
}

const formOf = (rotator: RotatorView | null): Form => ({
  target: rotator === null ? NOWHERE : rotator.kind === 'command' ? COMMAND : (rotator.service ?? NOWHERE),
  user: rotator?.user ?? '',
  userB: rotator?.userB ?? '',
  strategy: rotator?.strategy ?? '',
  self: rotator?.self ?? false,
  grace: rotator === null || rotator.graceSeconds === 0 ? '' : String(rotator.graceSeconds),
  timeout: rotator?.timeoutSeconds === undefined ? '' : String(rotator.timeoutSeconds),
  ...(rotator?.command === undefined ? {} : { command: { path: rotator.command } }),
});

/**
 * "Where this credential is checked": the secret's rotator — the service (or command hook) whose
 * credential a rotation changes, the role or user, the strategy, self mode and grace period. Test is a
 * dry run with the stored credential (reach, log in, the right to change it; nothing changes). No value
 * or admin credential ever reaches this form: main answers names and steps only.
 */
export function RotatorSection(props: { project: string; environment: EnvironmentView; secretKey: string; onChanged(): void }) {
  const { project, environment, secretKey } = props;
  const where = { project, environment: environment.name, key: secretKey };
  const toast = useToasts((state) => state.show);
  const services = useServices((state) => state.services);
  const loadServices = useServices((state) => state.load);
  const [attached, setAttached] = useState<RotatorView | null | undefined>(undefined);
  const [form, setForm] = useState<Form>(formOf(null));
  const [steps, setSteps] = useState<{ service: string; steps: CheckStepView[] } | undefined>(undefined);
  const [busy, setBusy] = useState<'test' | 'save' | 'remove' | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    void loadServices();
    api.rotators
      .show({ project, environment: environment.name, key: secretKey })
      .then(({ rotator }) => {
        setAttached(rotator);
        setForm(formOf(rotator));
      })
      .catch((caught: unknown) => setError(messageOf(caught)));
  }, [loadServices, project, environment.name, secretKey]);

  const service = services.find((candidate) => candidate.name === form.target);
  const kind: ServiceKind | undefined = form.target === COMMAND ? 'command' : service?.kind;
  const kindView = useKind(kind);
  const strategy = form.strategy !== '' && kindView?.strategies.includes(form.strategy) === true ? form.strategy : kindView?.strategies[0];
  const change = (patch: Partial<Form>) => {
    setForm({ ...form, ...patch });
    setSteps(undefined);
  };

  const draft = (): RotatorDraft | undefined => {
    if (kind === undefined) return undefined;
    const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
    const grace = number(form.grace);
    const timeout = number(form.timeout);
    return {
      target: kind === 'command' ? { type: 'command', ...(form.command?.fileId === undefined ? {} : { fileId: form.command.fileId }) } : { type: 'service', service: form.target },
      ...(kind !== 'command' && form.user.trim() !== '' ? { user: form.user.trim() } : {}),
      ...(strategy === 'alternating' && form.userB.trim() !== '' ? { userB: form.userB.trim() } : {}),
      ...(kind !== 'command' && strategy !== undefined ? { strategy } : {}),
      ...(kindView?.selfMode === true ? { self: form.self } : {}),
      ...(grace === undefined ? {} : { graceSeconds: grace }),
      ...(kind === 'command' && timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    };
  };

  const run = async (what: 'test' | 'save' | 'remove', action: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(undefined);
    }
  };

  const test = () =>
    run('test', async () => {
      const rotator = draft();
      if (rotator === undefined) return;
      setSteps(undefined);
      setSteps(await api.rotators.test({ ...where, draft: rotator }));
    });

  const save = async () => {
    const rotator = draft();
    if (rotator === undefined) return;
    if (!(await confirmProtectedWrite(environment, `This changes where ${secretKey} is rotated.`))) return;
    await run('save', async () => {
      const saved = await api.rotators.set({ ...where, rotator, confirmed: environment.protected ? true : undefined });
      setAttached(saved.rotator);
      setForm(formOf(saved.rotator));
      toast('success', `${secretKey} now rotates at ${saved.rotator.where}.`);
      props.onChanged();
    });
  };

  const remove = async () => {
    const yes = await confirm({
      title: `Remove ${secretKey}'s rotator?`,
      body: `Rotating ${secretKey} will then change its stored copy only: the credential at ${attached?.where ?? 'the service'} stays as it is. Nothing changes at the service now.`,
      confirmLabel: 'Remove rotator',
      tone: 'danger',
      ...(environment.protected ? { typeToConfirm: environment.name } : {}),
    });
    if (!yes) return;
    await run('remove', async () => {
      await api.rotators.remove({ ...where, confirmed: true });
      setAttached(null);
      setForm(formOf(null));
      setSteps(undefined);
      toast('success', `${secretKey} has no rotator now: rotating it changes the stored copy only.`);
      props.onChanged();
    });
  };

  const chooseCommand = () =>
    run('save', async () => {
      const chosen = await api.rotators.chooseCommand({});
      if (chosen.cancelled || chosen.fileId === undefined || chosen.path === undefined) return;
      change({ command: { fileId: chosen.fileId, path: chosen.path } });
    });

  const ready = kind !== undefined && (kind === 'command' ? form.command !== undefined : form.user.trim() !== '') && (strategy !== 'alternating' || form.userB.trim() !== '');

  return (
    <fieldset className="field rotator-section" aria-label="Where this credential is checked" aria-busy={attached === undefined}>
      <legend>Where this credential is checked</legend>
      <p className="muted small">
        {attached === undefined
          ? 'Loading…'
          : attached === null
            ? 'Nowhere Latchkey knows of: rotating changes the stored copy only, and the old value keeps working wherever it is checked.'
            : `Rotating changes it at ${attached.where}, then logs in with the new value and retires the old one.`}
      </p>
      {/* The form shows once the attached rotator is read, so an answer arriving late never overwrites what was typed. */}
      {attached === undefined ? (
        <FormError error={error} />
      ) : (
        <>
          <div className="form-row">
            <label className="field">
              <span>Service</span>
              <select value={form.target} onChange={(event) => change({ target: event.target.value, strategy: '' })} aria-label="Service where it is checked">
                <option value={NOWHERE}>None (stored copy only)</option>
                {services.map((candidate) => (
                  <option key={candidate.name} value={candidate.name}>
                    {candidate.name} — {ROTATOR_KIND_LABELS[candidate.kind]}
                  </option>
                ))}
                <option value={COMMAND}>A command hook (an executable you choose)</option>
              </select>
              {services.length === 0 ? <small className="muted">Add the database or Redis in Services first.</small> : null}
            </label>
            {kind === undefined || kind === 'command' ? null : (
              <label className="field">
                <span>{USER_LABELS[kind]}</span>
                <input className="mono" value={form.user} onChange={(event) => change({ user: event.target.value })} spellCheck={false} aria-label={USER_LABELS[kind]} placeholder="shop_app" />
              </label>
            )}
          </div>
          {kind === 'command' ? (
            <div className="form-row">
              <div className="field">
                <span>Executable (gets the new value on its standard input)</span>
                <div className="inline-field wide">
                  <span className="mono grow cell-wrap">{form.command?.path ?? 'None chosen'}</span>
                  <button type="button" className="btn" disabled={busy !== undefined} onClick={() => void chooseCommand()}>
                    <Icon name="file" /> Choose…
                  </button>
                </div>
              </div>
              <label className="field">
                <span>Timeout (seconds)</span>
                <input type="number" min={1} max={3600} value={form.timeout} placeholder="60" onChange={(event) => change({ timeout: event.target.value })} aria-label="Timeout in seconds" />
              </label>
            </div>
          ) : null}
          {kindView === undefined || kind === 'command' ? null : (
            <div className="form-row">
              {kindView.strategies.length > 1 ? (
                <label className="field">
                  <span>Strategy</span>
                  <select value={strategy} onChange={(event) => change({ strategy: event.target.value as RotationStrategy })} aria-label="Strategy">
                    {kindView.strategies.map((candidate) => (
                      <option key={candidate} value={candidate}>
                        {STRATEGY_LABELS[candidate]}
                      </option>
                    ))}
                  </select>
                  {strategy === undefined ? null : <small className="muted">{STRATEGY_HINTS[strategy]}</small>}
                </label>
              ) : null}
              {strategy === 'alternating' ? (
                <label className="field">
                  <span>Second {USER_LABELS[kindView.kind].toLowerCase()}</span>
                  <input className="mono" value={form.userB} onChange={(event) => change({ userB: event.target.value })} spellCheck={false} aria-label={`Second ${USER_LABELS[kindView.kind].toLowerCase()}`} placeholder="shop_app_b" />
                </label>
              ) : null}
            </div>
          )}
          {kind === undefined ? null : (
            <label className="field">
              <span>Grace period (seconds the old credential keeps working)</span>
              <input type="number" min={0} max={2592000} value={form.grace} placeholder="0 (retired at once)" onChange={(event) => change({ grace: event.target.value })} aria-label="Grace period in seconds" />
            </label>
          )}
          {kindView?.selfMode === true ? (
            <label className="checkbox">
              <input type="checkbox" checked={form.self} onChange={(event) => change({ self: event.target.checked })} />
              <span>Changes itself: logs in with its current value, without the service&apos;s admin credential</span>
            </label>
          ) : null}
          {steps === undefined ? null : <CheckSteps steps={steps.steps} busy={busy === 'test'} label={`Test of the rotator at ${steps.service}`} />}
          <FormError error={error} />
          <div className="form-actions">
            {attached === null ? null : (
              <button type="button" className="btn btn-danger-quiet" disabled={busy !== undefined} onClick={() => void remove()}>
                Remove rotator
              </button>
            )}
            <span className="spacer" />
            <button type="button" className="btn" disabled={!ready || busy !== undefined} onClick={() => void test()}>
              {busy === 'test' ? 'Testing…' : 'Test rotator'}
            </button>
            <button type="button" className="btn btn-primary" disabled={!ready || busy !== undefined} onClick={() => void save()}>
              Save rotator
            </button>
          </div>
        </>
      )}
    </fieldset>
  );
}
