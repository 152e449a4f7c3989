/** Every request the dashboard makes goes through `api`: one place for credentials and errors. */

/**
 * Where a one-time login token from `cairn up`'s link is exchanged for a session cookie. The
 * security module owns this route; if the server does not have it (404), the token is ignored.
 */
export const LOGIN_ROUTE = '/v1/auth/login';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called on any 401, so the app can show the log-in screen instead of a broken page. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

/** Calls the Cairn API with the session cookie; resolves to the JSON body or throws ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      credentials: 'same-origin',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'The Cairn server cannot be reached. Is `cairn up` still running?');
  }
  if (response.status === 401) {
    for (const listener of unauthorizedListeners) listener();
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `${options.method ?? 'GET'} ${path} failed with HTTP ${response.status}`,
    );
  }
  return body as T;
}

/**
 * Spends a `?token=` from the page address (the link `cairn up` prints) for a session cookie, then
 * takes it out of the address so a reload or a shared URL does not reuse it.
 */
export async function loginFromUrl(): Promise<void> {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.toString());
  try {
    await api(LOGIN_ROUTE, { method: 'POST', body: { token } });
  } catch (error) {
    // A server without the login route has no authentication to pass; anything else is shown.
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
}
