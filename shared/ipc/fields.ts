import { z } from 'zod';
import { ENVIRONMENT_NAME, PROJECT_NAME, SECRET_KEY } from '../names';

/** Field schemas shared by several contract entries. */
export const projectName = z.string().regex(PROJECT_NAME, 'not a valid project name');
export const environmentName = z.string().regex(ENVIRONMENT_NAME, 'not a valid environment name');
export const secretKey = z.string().regex(SECRET_KEY, 'not a valid secret key');
/** Values are checked against each backend's byte limit in core; this only bounds what IPC carries. */
export const secretValue = z.string().max(1024 * 1024, 'value too large');
export const note = z.string().max(2000, 'note too long');
export const colour = z.string().regex(/^#[0-9a-f]{6}$/, 'colour must be #rrggbb');
export const confirmed = z.boolean().optional();
export const timestamp = z.string().max(64);
/**
 * A version id the renderer sends back (one a backend listed): printable ASCII without spaces, at most
 * 128 characters — what Vault, AWS, GCP, Azure and the local stores use — so a message may name it.
 */
export const versionId = z.string().regex(/^[\x21-\x7e]{1,128}$/, 'not a version id');
export const empty = z.strictObject({});
/** Chosen by the renderer for a long call, so it can follow its progress events and cancel it. */
export const operationId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'not a valid operation id');
/** A file the person chose in main's file dialog, by the opaque id main gave it (never a path from the renderer). */
export const fileId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a chosen file');
