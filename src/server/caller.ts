import type { FastifyRequest } from 'fastify';
import { CairnError } from '../core/errors.js';
import type { Identity } from '../security/identity.js';

/** The identity the authentication hook (auth.ts) set; every route but the public ones has one. */
export function callerOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new CairnError('UNAUTHENTICATED', 'no identity on this request');
  return request.identity;
}
