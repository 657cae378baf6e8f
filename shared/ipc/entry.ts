import type { z } from 'zod';
import type { PublicError } from '../errors';

/** One call from the renderer to main: the shape of its request and of its result. */
export interface ContractEntry<Request extends z.ZodType = z.ZodType, Result extends z.ZodType = z.ZodType> {
  request: Request;
  result: Result;
}

export const call = <Request extends z.ZodType, Result extends z.ZodType>(request: Request, result: Result): ContractEntry<Request, Result> => ({
  request,
  result,
});

/** What every call answers: its result, or a typed error (kind + message; never a stack or a value). */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: PublicError };
