import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CODES, isCairnError, type ErrorCode } from '../core/errors.js';

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** The error responses every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: errorBody,
  404: errorBody,
  409: errorBody,
  413: errorBody,
  415: errorBody,
};

function send(reply: FastifyReply, code: ErrorCode, message: string, details?: Record<string, unknown>) {
  return reply.code(ERROR_CODES[code].status).send({ error: { code, message, details } });
}

/** Maps every error to `{"error":{"code","message"}}`: typed errors keep their status; faults log and stay vague. */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (isCairnError(error)) {
    if (error.status >= 500) request.log.error({ err: error }, 'request failed');
    return send(reply, error.code, error.message, error.details);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => {
      const where = issue.instancePath ? issue.instancePath.slice(1).replaceAll('/', '.') : '';
      return `${error.validationContext ?? 'request'}${where ? `.${where}` : ''}: ${issue.message}`;
    });
    return send(reply, 'INVALID_ARGUMENT', issues.join('; '));
  }
  const status = error.statusCode ?? 500;
  if (status === 413)
    return send(reply, 'PAYLOAD_TOO_LARGE', 'the request body is larger than the server accepts');
  if (status === 415) return send(reply, 'UNSUPPORTED_FORMAT', error.message);
  if (status >= 400 && status < 500) {
    return reply
      .code(status)
      .send({ error: { code: error.code ?? 'INVALID_ARGUMENT', message: error.message } });
  }
  request.log.error({ err: error }, 'request failed');
  return send(reply, 'INTERNAL', 'internal error; the server log has the details');
}
