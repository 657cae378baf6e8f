import type { SessionOutput } from './commands';
import { metadataText } from './queries';

/**
 * Sessions as CSV, for the app's export and `latchkey sessions list --format csv`: ids, user, device,
 * times and metadata — never a token (Latchkey has none to give). RFC 4180 quoting (a cell with a
 * comma, a quote or a line break is quoted, quotes doubled), lines ended by "\n".
 *
 * CSV injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and
 * tab or carriage return can hide one). Values come from the API server's clients, so such a cell gets
 * a leading apostrophe — the usual way to say "this is text" (OWASP) — and a spreadsheet shows it as
 * written, apostrophe aside. The JSON export keeps every value exactly.
 */
export const CSV_COLUMNS = ['id', 'user_id', 'device_id', 'created_at', 'expires_at', 'ttl_seconds', 'device_type', 'os', 'app_version', 'metadata'] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

export function csvRow(session: SessionOutput): string {
  const cells = [
    session.id,
    session.user_id,
    session.device_id,
    session.created_at,
    session.expires_at,
    session.ttl_seconds === null ? '' : String(session.ttl_seconds),
    metadataText(session.metadata.device_type) ?? '',
    metadataText(session.metadata.os) ?? '',
    metadataText(session.metadata.app_version) ?? '',
    JSON.stringify(session.metadata),
  ];
  return `${cells.map(csvCell).join(',')}\n`;
}
