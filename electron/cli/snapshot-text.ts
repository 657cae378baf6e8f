import { type RestoreResult, type TargetDescription, SNAPSHOT_REASON_LABELS, type SnapshotSummary, type IncidentUndoPreview, type IncidentUndoResult, type RestorePreview, type SnapshotList } from '../core/snapshots';
import { table } from './context';

/** How `latchkey env snapshot(s)|restore` and `incident undo` read to a person: names and counts, never a value. */

export function describeTarget(target: TargetDescription): string {
  if (target.kind === 'snapshot') return `snapshot ${target.snapshot_id} (taken ${target.created_at}, ${SNAPSHOT_REASON_LABELS[target.reason]}${target.note === undefined ? '' : `: ${target.note}`})`;
  if (target.kind === 'time') return `${target.at} (${target.exact ? 'exact' : 'best effort'})`;
  return `before incident ${target.report_id}`;
}

export function snapshotLine(snapshot: SnapshotSummary): string {
  return `Snapshot ${snapshot.id} of ${snapshot.project}/${snapshot.environment}: ${snapshot.keys} key(s)${snapshot.unreadable === 0 ? '' : `, ${snapshot.unreadable} could not be read`}.`;
}

export function snapshotListText(list: SnapshotList): string {
  const lines: string[] = [];
  if (list.interrupted !== undefined) {
    lines.push(`! A restore to ${list.interrupted.description} started ${list.interrupted.started_at} did not finish. Run the same "latchkey env restore" again to finish it.`, '');
  }
  lines.push(
    list.snapshots.length === 0
      ? `No snapshots of ${list.project}/${list.environment} yet.`
      : table(list.snapshots.map((snapshot) => [snapshot.id, snapshot.created_at, `${snapshot.keys} keys`, SNAPSHOT_REASON_LABELS[snapshot.reason], snapshot.note ?? ''])),
  );
  if (list.pruned.length > 0) {
    lines.push('', `Pruned (kept: the newest ${list.retention.count}, none older than ${list.retention.days} days):`);
    lines.push(table(list.pruned.slice(0, 20).map((entry) => [`  ${entry.id}`, `pruned ${entry.pruned_at}`, entry.why_text])));
    if (list.pruned.length > 20) lines.push(`  … and ${list.pruned.length - 20} more (--json lists them all)`);
  }
  for (const name of list.damaged) lines.push(`! ${name} is damaged and cannot be used.`);
  return lines.join('\n');
}

const names = (keys: string[]) => (keys.length === 0 ? '-' : keys.join(', '));

export function restorePreviewText(preview: RestorePreview): string {
  const lines = [
    `Restore ${preview.project}/${preview.environment} to ${describeTarget(preview.target)}:`,
    `  will change (${preview.changed.length}): ${names(preview.changed)}`,
    `  will be recreated (${preview.recreated.length}): ${names(preview.recreated)}`,
    `  will be deleted (${preview.deleted.length}): ${names(preview.deleted)}`,
    `  unchanged (${preview.unchanged.length})`,
  ];
  const kept = preview.created_since.filter((key) => !preview.deleted.includes(key));
  if (kept.length > 0) lines.push(`  created since, left as they are (${kept.length}): ${kept.join(', ')} — --delete KEY or --delete-new deletes them`);
  for (const item of preview.unavailable) lines.push(`  cannot be restored: ${item.key} — ${item.reason}`);
  for (const item of preview.left_out) lines.push(`  left out: ${item.key} — ${item.reason}`);
  lines.push(...preview.notes.map((note) => `  ${note}`));
  return lines.join('\n');
}

export function restoreResultText(result: RestoreResult): string {
  const lines = [
    `${result.status === 'completed' ? 'Restored' : result.status === 'cancelled' ? 'Cancelled restoring' : 'Partly restored'} ${result.project}/${result.environment} to ${describeTarget(result.target)}${result.resumed ? ' (finished an interrupted restore)' : ''}:`,
    `  changed (${result.changed.length}): ${names(result.changed)}`,
    `  recreated (${result.recreated.length}): ${names(result.recreated)}`,
    `  deleted (${result.deleted.length}): ${names(result.deleted)}`,
    `  unchanged (${result.unchanged.length})`,
  ];
  if (result.kept_new.length > 0) lines.push(`  created since, left as they are: ${result.kept_new.join(', ')}`);
  for (const item of result.unavailable) lines.push(`  NOT RESTORED ${item.key}: ${item.reason}`);
  for (const item of result.left_out) lines.push(`  left out: ${item.key} — ${item.reason}`);
  for (const item of result.failed) lines.push(`  FAILED ${item.key}: ${item.error.message}`);
  lines.push(...result.notes.map((note) => `  ${note}`), ...result.warnings.map((warning) => `  ! ${warning}`));
  lines.push(`Undo this restore with: latchkey env restore --project ${result.project} --env ${result.environment} --snapshot ${result.before_snapshot_id} --delete-new`);
  if (result.status === 'cancelled') lines.push('Run the same command again to finish it.');
  return lines.join('\n');
}

export function incidentUndoPreviewText(preview: IncidentUndoPreview): string {
  if (preview.environments.length === 0) return `Incident ${preview.report_id} rotated nothing, so there is nothing to undo.`;
  return [`Undo incident ${preview.report_id}: the values from before it come back for secrets that were stored only.`, ...preview.environments.map(restorePreviewText)].join('\n');
}

export function incidentUndoResultText(result: IncidentUndoResult): string {
  return [`Incident ${result.report_id}:`, ...result.environments.map(restoreResultText)].join('\n');
}
