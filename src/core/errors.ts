/**
 * The one catalog of error codes. Every error Cairn raises on purpose is a CairnError with one of
 * these codes; the HTTP server maps the code to its status, the CLI to a non-zero exit.
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: {
    status: 400,
    meaning: 'An argument, flag, file or request field has a value Cairn cannot use.',
  },
  INVALID_NAME: { status: 400, meaning: 'A table or column name is not a plain identifier.' },
  SQL_ERROR: {
    status: 400,
    meaning: 'DuckDB rejected a query: a syntax error, an unknown column, a bad cast.',
  },
  SOURCE_ERROR: {
    status: 400,
    meaning: 'An ingest source could not be read: missing file, refused connection, bad query.',
  },
  UNAUTHENTICATED: {
    status: 401,
    meaning: 'The request carries no valid identity: a missing, unknown, revoked or expired key or token.',
  },
  FORBIDDEN: {
    status: 403,
    meaning: 'The identity is known but its role or grants do not allow this operation on this object.',
  },
  READ_ONLY: {
    status: 403,
    meaning: 'The statement changes data and the caller did not ask for write access.',
  },
  NOT_FOUND: { status: 404, meaning: 'The named table, model or object does not exist.' },
  CONFLICT: {
    status: 409,
    meaning: 'The request conflicts with the current state (an existing object, a running job).',
  },
  WORKSPACE_LOCKED: {
    status: 409,
    meaning: 'Another process holds the workspace database open for writing.',
  },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body is larger than the configured limit.' },
  RATE_LIMITED: {
    status: 429,
    meaning: 'The key sent more requests than its rate limit allows; retry later.',
  },
  UNSUPPORTED_FORMAT: { status: 415, meaning: 'The file or body is in a format Cairn does not read.' },
  INTERNAL: { status: 500, meaning: 'A fault inside Cairn; the log has the details.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CairnError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Structured facts a client can act on (e.g. the failing fields of a request); sent as `error.details`. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = 'CairnError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options?.details;
  }
}

export function isCairnError(error: unknown): error is CairnError {
  return error instanceof CairnError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
