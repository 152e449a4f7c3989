import { ROLES, type Role } from '../src/security/roles.js';
import type { Platform } from '../src/platform.js';

export interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
  headers: Headers;
  text: string;
}

/** One API key per role, for tests that call routes as each role. */
export async function roleKeys(platform: Platform): Promise<Record<Role, string>> {
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await platform.security.keys.create({ role })).key;
  return keys;
}

/** An HTTP caller for a listening server: JSON bodies are encoded, strings sent as they are. */
export function caller(base: string) {
  return async (
    method: string,
    url: string,
    options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined;
    if (typeof options.body === 'string') body = options.body;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${base}${url}`, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let json: Reply['body'] = {};
    try {
      json = JSON.parse(text) as Reply['body'];
    } catch {
      // HTML and redirects have no JSON body.
    }
    return { status: response.status, body: json, headers: response.headers, text };
  };
}

/** Every operation of the server's OpenAPI document, with the permission it names. */
export async function openApiOperations(
  call: ReturnType<typeof caller>,
  adminKey: string,
): Promise<{ method: string; route: string; needs: string[] | null }[]> {
  const doc = (await call('GET', '/openapi.json', { key: adminKey })).body as {
    paths: Record<string, Record<string, { security?: { bearer: string[] }[] }>>;
  };
  const out = [];
  for (const [route, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods))
      out.push({
        method: method.toUpperCase(),
        route,
        needs: op.security?.length ? op.security[0].bearer : null,
      });
  return out;
}
