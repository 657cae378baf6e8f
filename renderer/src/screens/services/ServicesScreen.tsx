import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ServiceView } from '../../../../shared/ipc/services.contract';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { useConnections } from '../../stores/connections.store';
import { useServices } from '../../stores/services.store';
import { ServiceDialog } from './ServiceDialog';
import { SERVICE_KIND_LABELS } from './service-form';
import { TestServiceDialog } from './TestServiceDialog';

type Open = { mode: 'add' } | { mode: 'edit'; service: ServiceView } | { mode: 'test'; service: ServiceView } | undefined;

/**
 * Where credentials are checked — Postgres, MySQL/MariaDB, Redis ACL, AWS IAM: list, add, edit, test,
 * remove. A secret's rotator (in its rotation policy) names one of these to change its credential there.
 */
export function ServicesScreen() {
  const { services, loaded, error } = useServices(useShallow((state) => ({ services: state.services, loaded: state.loaded, error: state.error })));
  const load = useServices((state) => state.load);
  // The AWS IAM form chooses one of the saved AWS connections.
  const loadConnections = useConnections((state) => state.load);
  const [open, setOpen] = useState<Open>(undefined);

  useEffect(() => {
    void load();
    void loadConnections();
  }, [load, loadConnections]);

  const close = (changed: boolean) => {
    setOpen(undefined);
    if (changed) void load();
  };

  return (
    <section className="screen" aria-label="Services">
      <header className="screen-header screen-header-row">
        <div>
          <h1>Services</h1>
          <p className="muted">Where credentials are checked: a rotator changes a secret’s credential there, then proves the new one works and the old one is refused. Admin credentials stay in your OS keychain.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setOpen({ mode: 'add' })}>
          <Icon name="plus" /> Add service
        </button>
      </header>
      <ErrorBanner error={error} onRetry={() => void load()} />
      {loaded && services.length === 0 && error === undefined ? (
        <div className="empty">
          <Icon name="server" size={32} />
          <h3>No services yet</h3>
          <p className="muted">Rotating a secret changes only its stored copy until it has a rotator at a service: add the database, Redis or AWS account that checks it.</p>
          <button type="button" className="btn btn-primary" onClick={() => setOpen({ mode: 'add' })}>
            <Icon name="plus" /> Add the first service
          </button>
        </div>
      ) : (
        <table className="secrets-table connections-table services-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Where</th>
              <th>Admin credential</th>
              <th>Rotators</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {services.map((service) => (
              <tr key={service.name} className="service-row" data-service={service.name}>
                <td>
                  <span className="mono strong">{service.name}</span>
                  <span className="note">{SERVICE_KIND_LABELS[service.kind]}</span>
                </td>
                <td className="mono small cell-wrap">{service.location}</td>
                <td>{service.credentials === 'stored' ? <span className="badge">stored ✓</span> : <span className="badge badge-warn">not set</span>}</td>
                <td className="small">
                  {service.rotators.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    service.rotators.map((rotator) => (
                      <span key={`${rotator.project}/${rotator.environment}/${rotator.key}`} className="bound-env mono">
                        {rotator.project}/{rotator.environment}/{rotator.key}
                      </span>
                    ))
                  )}
                </td>
                <td className="cell-actions">
                  <button type="button" className="btn" onClick={() => setOpen({ mode: 'test', service })} aria-label={`Test ${service.name}`}>
                    Test
                  </button>
                  <button type="button" className="icon-btn" aria-label={`Edit ${service.name}`} title="Edit or remove" onClick={() => setOpen({ mode: 'edit', service })}>
                    <Icon name="edit" />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open?.mode === 'add' ? <ServiceDialog onDone={close} /> : null}
      {open?.mode === 'edit' ? <ServiceDialog editing={open.service} onDone={close} /> : null}
      {open?.mode === 'test' ? <TestServiceDialog service={open.service} onClose={() => setOpen(undefined)} /> : null}
    </section>
  );
}
