/**
 * The command that runs a program with an environment's secrets, as the app shows it and puts on the
 * clipboard. Project and environment names are letters, digits, "-" and "_" (shared/names.ts), so the
 * words need no shell quoting. It ends with "-- ": the person adds their own command after it.
 */
export function runCommandFor(project: string, environment: string): string {
  return `latchkey run --project ${project} --env ${environment} -- `;
}
