import { createConnection } from 'node:net';
import { backendUnavailable, invalidInput, toPublicError, unauthenticated } from '../errors';
import type { CheckStep, Credential, RotationTarget } from './driver';

/** Small pieces every driver needs: the admin credential, a user name, and the dry run's step list. */

/** The service's admin credential; Unauthenticated (with what to do) when none is stored. */
export function adminOf(target: RotationTarget): Credential {
  const { admin, name } = target.service;
  if (admin === undefined) {
    throw unauthenticated(
      `${name} has no admin credential stored. Store one with: printf %s "$ADMIN_URL" | latchkey services update ${name} --url-stdin — or attach the rotator with --self.`,
    );
  }
  return admin;
}

export function requireUser(credential: Credential, target: RotationTarget, what: string): string {
  if (credential.user === undefined || credential.user === '') throw invalidInput(`The rotator of ${target.context.ref} names no ${what} at ${target.service.name}; set it with latchkey rotators set.`);
  return credential.user;
}

export interface PlannedCheck {
  name: string;
  detail: string;
  run: () => Promise<void>;
}

/** Runs the checks in order; the first failure is recorded with its typed error and the rest are skipped. */
export async function runChecks(checks: PlannedCheck[]): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  let failed = false;
  for (const check of checks) {
    if (failed) {
      steps.push({ name: check.name, outcome: 'skipped', detail: check.detail });
      continue;
    }
    try {
      await check.run();
      steps.push({ name: check.name, outcome: 'passed', detail: check.detail });
    } catch (error) {
      failed = true;
      steps.push({ name: check.name, outcome: 'failed', detail: check.detail, error: toPublicError(error) });
    }
  }
  return steps;
}

/** A TCP connection to host:port opens within the timeout (reachability without logging in). */
export async function probeTcp(host: string, port: number, timeoutMs: number, service: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host, port });
    const fail = () => {
      socket.destroy();
      reject(backendUnavailable(`${service} (${host}:${port}) is not reachable. Check that it runs and that this machine may connect, then try again.`));
    };
    socket.setTimeout(timeoutMs, fail);
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}
