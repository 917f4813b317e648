/**
 * How the station API answers a failure: which HTTP status, which stable code, and
 * which words. A refusal of the order workflow keeps its message (it is written for
 * nurses) and its reason code; anything unexpected is a 500 that says so.
 */
import type { z } from 'zod';
import { isVigilError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ApiErrorBody, ApiErrorCode } from './web/api-types.js';
import type { JsonReply } from './http-reply.js';
import { limitCheckSchema } from './pump-protocol.js';

/** A JSON error answer. */
export function apiError(status: number, code: ApiErrorCode | string, message: string, extra: Omit<ApiErrorBody['error'], 'code' | 'message'> = {}): JsonReply {
  const body: ApiErrorBody = { error: { code, message, ...extra } };
  return { status, body };
}

/** 400 REQUEST_INVALID naming the first bad field, e.g. `value: Invalid input: expected number, received string`. */
export function invalidRequest(error: z.ZodError, where = 'body'): JsonReply {
  const first = error.issues[0];
  const field = first && first.path.length > 0 ? first.path.join('.') : where;
  const unknownKeys = first?.code === 'unrecognized_keys' ? first.keys.join(', ') : null;
  const text = error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : where;
      return issue.code === 'unrecognized_keys' ? `${path}: unknown field ${issue.keys.join(', ')}` : `${path}: ${issue.message}`;
    })
    .join('; ');
  return apiError(400, 'REQUEST_INVALID', text, { field: unknownKeys ?? field });
}

const UNAUTHORISED = new Set(['AUTH_FAILED', 'SESSION_INVALID', 'SESSION_EXPIRED']);

/**
 * The answer to an error thrown by the control module (or by the station itself).
 * Logs a 500 with its cause; refusals and authentication failures only at debug (the
 * control module audits them). Never logs request bodies: they may hold passwords.
 */
export function errorReply(err: unknown, log: Logger, route: string): JsonReply {
  if (isVigilError(err)) {
    const code: string = err.code;
    if (code === 'ORDER_REFUSED') {
      const reason = typeof err.context.reason === 'string' ? err.context.reason : undefined;
      const limitCheck = limitCheckSchema.safeParse(err.context.limitCheck);
      log.debug({ route, code, reason }, 'station request refused');
      return apiError(409, code, err.message, {
        ...(reason === undefined ? {} : { reason }),
        ...(limitCheck.success ? { limitCheck: limitCheck.data } : {}),
      });
    }
    if (UNAUTHORISED.has(code)) {
      log.debug({ route, code }, 'station request not authenticated');
      return apiError(401, code, err.message);
    }
    if (code === 'ORDER_NOT_FOUND') return apiError(404, code, err.message);
    if (code === 'REQUEST_INVALID') return apiError(400, code, err.message);
    log.error({ route, err }, 'station request failed');
    return apiError(500, code, err.message);
  }
  log.error({ route, err }, 'station request failed unexpectedly');
  return apiError(500, 'INTERNAL', 'the gateway failed to handle this request (see its log); check the order state before trying again');
}
