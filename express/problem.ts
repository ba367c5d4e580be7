import type { ServerResponse } from 'node:http';
import { MESH_ERROR_CODES, MeshError, type MeshErrorCode } from '../src/index.js';

/** An RFC 9457 problem document, with the evmesh error code as an extension member. */
export interface Problem {
  /** `urn:evmesh:error:<code>`: a URN, because no page is promised at an http address. */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: MeshErrorCode;
  readonly [extension: string]: unknown;
}

// Where a code does not say on its own which status it is, it is a client error
// about the event (400) unless it says the server cannot take it now (503).
const STATUS: Partial<Record<MeshErrorCode, number>> = {
  ERR_MESH_UNAUTHORIZED: 401,
  ERR_MESH_FORBIDDEN: 403,
  ERR_MESH_BODY_TIMEOUT: 408,
  ERR_MESH_METHOD_NOT_ALLOWED: 405,
  ERR_MESH_PAYLOAD_TOO_LARGE: 413,
  ERR_MESH_RATE_LIMITED: 429,
  ERR_MESH_SUBSCRIPTION_NOT_FOUND: 404,
  ERR_MESH_TOO_MANY_SUBSCRIPTIONS: 409,
  ERR_MESH_CATALOGUE_FAILED: 503,
  ERR_MESH_UNSUPPORTED_MEDIA_TYPE: 415,
  // A `use` chain refused a well-formed event: the application's own rule.
  ERR_MESH_PIPELINE_FAILED: 422,
  ERR_MESH_CLOSED: 503,
  ERR_MESH_STORE_FULL: 503,
  ERR_MESH_STORE_FAILED: 503,
  ERR_MESH_STORE_UNAVAILABLE: 503,
  ERR_MESH_TOO_MANY_STREAMS: 503,
};

const CLIENT_ERRORS: ReadonlySet<MeshErrorCode> = new Set([
  'ERR_MESH_INVALID_EVENT', 'ERR_MESH_INVALID_TOPIC', 'ERR_MESH_INVALID_PATTERN', 'ERR_MESH_INVALID_FILTER',
  'ERR_MESH_UNSUPPORTED_FILTER',
]);

/** The HTTP status that answers a MeshError with this code. */
export function statusOf(code: MeshErrorCode): number {
  return STATUS[code] ?? (CLIENT_ERRORS.has(code) ? 400 : 500);
}

/**
 * Builds the problem document for a MeshError; `extra` adds members (e.g. per-event
 * errors). A `details.hint` of the error (how to write it right) becomes `hint`.
 */
export function problemOf(err: MeshError, extra?: Readonly<Record<string, unknown>>, status = statusOf(err.code)): Problem {
  const hint = err.details?.['hint'];
  return {
    ...(typeof hint === 'string' ? { hint } : undefined),
    ...extra,
    type: `urn:evmesh:error:${err.code}`,
    title: MESH_ERROR_CODES[err.code].summary,
    status,
    detail: err.message,
    code: err.code,
  };
}

/** Answers with `application/problem+json`. */
export function sendProblem(res: ServerResponse, problem: Problem, headers?: Readonly<Record<string, string>>): void {
  const body = JSON.stringify(problem);
  res.statusCode = problem.status;
  if (headers !== undefined) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/problem+json');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** Shortcut: a problem for a new MeshError. */
export function fail(res: ServerResponse, code: MeshErrorCode, detail: string, headers?: Readonly<Record<string, string>>): void {
  sendProblem(res, problemOf(new MeshError(code, detail)), headers);
}

/** Express's `next`: passes an error on, or the request to the next handler. */
export type Next = (err?: unknown) => void;

/** A hook that threw or a bug: Express's error handler decides; without one, a bare 500. */
export function unexpected(err: unknown, res: ServerResponse, next: Next | undefined): void {
  if (next !== undefined) {
    next(err);
    return;
  }
  if (!res.headersSent) res.statusCode = 500;
  res.end();
}
