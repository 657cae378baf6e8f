import { useState } from 'react';
import type { BulkRevocationView, OwnerSummaryView } from '../../../../shared/ipc/sessions.contract';
import { api } from '../../api';
import { confirm } from '../../components/confirm.store';
import { useOperation } from '../../operations';
import { strategyOf, useSessions } from '../../stores/sessions.store';

/**
 * "Revoke all" of a device or a user: count the sessions now, ask with that count and whose sessions
 * they are, then revoke (with progress; the walk can take seconds on a large keyspace).
 */
export type OwnerKind = 'user' | 'device';

export interface RevokeAllOutcome {
  kind: OwnerKind;
  id: string;
  result: BulkRevocationView;
}

export function useRevokeAll(server: string) {
  const indexOnly = useSessions((state) => state.indexOnly);
  const operation = useOperation();
  const [phase, setPhase] = useState<'idle' | 'counting' | 'revoking'>('idle');

  const revokeAll = async (kind: OwnerKind, id: string): Promise<RevokeAllOutcome | 'nothing' | 'declined'> => {
    const strategy = strategyOf(indexOnly);
    setPhase('counting');
    let summary: OwnerSummaryView;
    try {
      summary = await api.sessions.summary({ operationId: operation.start(), server, kind, id, strategy });
    } finally {
      operation.finish();
      setPhase('idle');
    }
    if (summary.count === 0) return 'nothing';
    const text = confirmation(summary);
    const note = indexOnly ? " Index only: sessions written without Latchkey's index are not looked for." : '';
    const yes = await confirm({ ...text, body: `${text.body}${note}`, tone: 'danger' });
    if (!yes) return 'declined';
    setPhase('revoking');
    try {
      const operationId = operation.start();
      const request = { operationId, server, strategy, confirmed: true as const };
      const result = kind === 'device' ? await api.sessions.revokeDevice({ ...request, deviceId: id }) : await api.sessions.revokeUser({ ...request, userId: id });
      return { kind, id, result };
    } finally {
      operation.finish();
      setPhase('idle');
    }
  };

  return { revokeAll, phase, progress: operation.progress, cancel: operation.cancel };
}

const sessions = (n: number) => `${n.toLocaleString()} session${n === 1 ? '' : 's'}`;

/** The confirmation states how many sessions of which user(s) will end. */
export function confirmation(summary: OwnerSummaryView): { title: string; body: string; confirmLabel: string } {
  const confirmLabel = `Revoke ${sessions(summary.count)}`;
  if (summary.kind === 'device') {
    const users = summary.users.length === 1 ? `user ${summary.users[0]!.id}` : `users ${list(summary.users)}`;
    return {
      title: `Revoke all sessions of device ${summary.id}?`,
      body: `${sessions(summary.count)} of ${users} will end on device ${summary.id}. Whoever holds the device is signed out at once. This cannot be undone.`,
      confirmLabel,
    };
  }
  const devices = summary.devices.length === 1 ? `device ${summary.devices[0]!.id}` : `${summary.devices.length} devices (${list(summary.devices)})`;
  return {
    title: `Revoke all sessions of user ${summary.id}?`,
    body: `${sessions(summary.count)} of user ${summary.id} will end, on ${devices}. The user is signed out everywhere. This cannot be undone.`,
    confirmLabel,
  };
}

function list(owners: { id: string; sessions: number }[]): string {
  const shown = owners.slice(0, 4).map((owner) => `${owner.id} (${owner.sessions})`);
  return owners.length > 4 ? `${shown.join(', ')} and ${owners.length - 4} more` : shown.join(', ');
}
