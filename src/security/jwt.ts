import {
  createRemoteJWKSet,
  createLocalJWKSet,
  jwtVerify,
  type JWTVerifyGetKey,
  type JSONWebKeySet,
} from 'jose';
import { readFileSync } from 'node:fs';
import { CairnError } from '../core/errors.js';
import type { Identity } from './identity.js';
import { isRole } from './roles.js';

/**
 * Bearer JWTs from an identity provider. HS256 with a shared secret, or RS256 with the provider's
 * public keys (a JWKS URL, or a JWKS file for air-gapped installs). The role comes from a claim.
 */
export interface JwtSettings {
  /** HS256 shared secret (CAIRN_JWT_SECRET). At least 32 bytes. */
  secret?: string;
  /** RS256 key set URL (CAIRN_JWT_JWKS_URL), e.g. https://idp.example.com/.well-known/jwks.json. */
  jwksUrl?: string;
  /** RS256 key set file (CAIRN_JWT_JWKS_FILE). */
  jwksFile?: string;
  issuer?: string;
  audience?: string;
  /** Claim holding the Cairn role (CAIRN_JWT_ROLE_CLAIM, default `role`). */
  roleClaim?: string;
}

export function jwtSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): JwtSettings {
  return {
    secret: env.CAIRN_JWT_SECRET || undefined,
    jwksUrl: env.CAIRN_JWT_JWKS_URL || undefined,
    jwksFile: env.CAIRN_JWT_JWKS_FILE || undefined,
    issuer: env.CAIRN_JWT_ISSUER || undefined,
    audience: env.CAIRN_JWT_AUDIENCE || undefined,
    roleClaim: env.CAIRN_JWT_ROLE_CLAIM || undefined,
  };
}

export type JwtVerifier = (token: string) => Promise<Identity | null>;

/** A verifier for the configured methods; null when no JWT method is configured. */
export function jwtVerifier(settings: JwtSettings): JwtVerifier | null {
  const hmac = settings.secret ? new TextEncoder().encode(settings.secret) : null;
  if (hmac && hmac.length < 32)
    throw new CairnError('INVALID_ARGUMENT', 'CAIRN_JWT_SECRET must be at least 32 bytes for HS256');
  let jwks: JWTVerifyGetKey | null = null;
  if (settings.jwksUrl) jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
  else if (settings.jwksFile)
    jwks = createLocalJWKSet(JSON.parse(readFileSync(settings.jwksFile, 'utf8')) as JSONWebKeySet);
  if (!hmac && !jwks) return null;
  const claim = settings.roleClaim ?? 'role';
  const options = { issuer: settings.issuer, audience: settings.audience };
  return async (token) => {
    let payload;
    try {
      const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
        alg?: string;
      };
      // Each algorithm only with its own key kind, so an RS256 public key is never taken as an HMAC secret.
      if (header.alg === 'HS256' && hmac)
        ({ payload } = await jwtVerify(token, hmac, { ...options, algorithms: ['HS256'] }));
      else if (header.alg === 'RS256' && jwks)
        ({ payload } = await jwtVerify(token, jwks, { ...options, algorithms: ['RS256'] }));
      else return null;
    } catch {
      return null;
    }
    const role = payload[claim];
    if (typeof role !== 'string' || !isRole(role) || typeof payload.sub !== 'string') return null;
    return { actor: `jwt:${payload.sub}`, role, via: 'jwt' };
  };
}
