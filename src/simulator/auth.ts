/**
 * OAuth client-credentials tokens. Tokens are HMAC-signed JWTs whose expiry is checked against the
 * simulator clock, so advancing the clock expires them exactly as waiting would.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type RandomStreams } from './prng';

export interface TokenClaims {
  client_id: string;
  identity_id: string;
  exp: number;
  jti: string;
}

export interface IssuedToken {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
  tenant_id: string;
  pod: string;
  org: string;
  jti: string;
}

/** The tenant's pod and org, as tokens and search documents name them. */
export const POD = 'sim01-useast1';
export const ORG = 'iscflow-sim';

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; error: string };

export class TokenAuthority {
  private readonly secret: string;
  readonly tenantId: string;

  constructor(
    random: RandomStreams,
    private readonly credentials: { clientId: string; clientSecret: string },
    private readonly ttlSeconds: number,
  ) {
    this.secret = random.hexId('catalog');
    this.tenantId = random.hexId('catalog');
  }

  checkCredentials(clientId: string | undefined, clientSecret: string | undefined): boolean {
    return clientId === this.credentials.clientId && clientSecret === this.credentials.clientSecret;
  }

  issue(identityId: string, nowMs: number, jti: string): IssuedToken {
    const exp = Math.floor(nowMs / 1000) + this.ttlSeconds;
    const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'iscflow-sim' }));
    const payload = b64(
      JSON.stringify({
        tenant_id: this.tenantId,
        pod: POD,
        org: ORG,
        identity_id: identityId,
        user_name: 'iscflow-sim',
        strong_auth: true,
        authorities: ['ORG_ADMIN'],
        client_id: this.credentials.clientId,
        scope: ['sp:scopes:all'],
        iat: Math.floor(nowMs / 1000),
        exp,
        jti,
      }),
    );
    return {
      access_token: `${header}.${payload}.${this.sign(`${header}.${payload}`)}`,
      token_type: 'bearer',
      expires_in: this.ttlSeconds,
      scope: 'sp:scopes:all',
      tenant_id: this.tenantId,
      pod: POD,
      org: ORG,
      jti,
    };
  }

  verify(authorization: string | undefined, nowMs: number): TokenCheck {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) return { ok: false, error: 'JWT validation failed: JWT is missing' };
    const [header, payload, signature] = match[1].split('.');
    if (!header || !payload || !signature) return { ok: false, error: 'JWT validation failed: JWT is malformed' };
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const actual = Buffer.from(signature);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      return { ok: false, error: 'JWT validation failed: JWT signature is invalid' };
    }
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, error: 'JWT validation failed: JWT is malformed' };
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= nowMs)
      return { ok: false, error: 'JWT validation failed: JWT is expired' };
    return { ok: true, claims };
  }

  private sign(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url');
  }
}
