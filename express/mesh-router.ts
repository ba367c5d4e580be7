import type { IncomingMessage, ServerResponse } from 'node:http';
import { MeshError, parsePattern, type Mesh } from '../src/index.js';
import { EventIds, type EventFactory, type MeshEvent } from '../src/internal.js';
import type { MeshAccess, TopicPolicy } from './access.js';
import { BodyAborted, readBody } from './body.js';
import { EventStream } from './event-stream.js';
import { ingest, type EventProblem } from './ingest.js';
import { resolveRouterOptions, type MeshRouterOptions, type ResolvedRouterOptions } from './options.js';
import { fail, problemOf, sendProblem } from './problem.js';
import { streamPlan } from './resume.js';

type Next = (err?: unknown) => void;

/**
 * A request handler for Express 4 and 5 (and plain `node:http`): mount it with
 * `app.use('/events', meshRouter(mesh))`. It serves `POST /` and `GET /stream`
 * relative to where it is mounted and passes anything else to `next()`.
 */
export interface MeshRouter {
  (req: IncomingMessage, res: ServerResponse, next?: Next): void;
  /** Server-Sent Event streams open now. */
  readonly openStreams: number;
  /** Ends every open stream, e.g. before `server.close()` (which waits for open responses). */
  closeStreams(): void;
}

export function meshRouter(mesh: Mesh, options?: MeshRouterOptions): MeshRouter {
  const opts = resolveRouterOptions(options);
  const factory: EventFactory = { ids: new EventIds(), source: mesh.source };
  const streams = new Set<EventStream>();
  const handle = (req: IncomingMessage, res: ServerResponse, next?: Next): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const onError = (err: unknown): void => unexpected(err, res, next);
    if ((url.pathname === '/' || url.pathname === '') && req.method === 'POST') {
      publish(mesh, factory, opts, req, res).catch(onError);
    } else if (url.pathname === '/stream' && req.method === 'GET') {
      stream(mesh, opts, streams, url, req, res).catch(onError);
    } else if (next !== undefined) {
      next();
    } else {
      res.statusCode = 404;
      res.end();
    }
  };
  return Object.defineProperties(handle, {
    openStreams: { get: () => streams.size },
    closeStreams: { value: () => [...streams].forEach((s) => s.close()) },
  }) as MeshRouter;
}

async function publish(mesh: Mesh, factory: EventFactory, opts: ResolvedRouterOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!(await admitted(opts, req, res, { action: 'publish' }))) return;
  const policy = await topicPolicy(opts, req);
  let events: MeshEvent[];
  try {
    events = ingest(factory, req.headers, await readBody(req, opts.limit));
  } catch (err) {
    if (err instanceof BodyAborted) return;
    if (!(err instanceof MeshError)) throw err;
    const errors = (err.details as { errors?: EventProblem[] } | undefined)?.errors;
    // The rest of a refused body is not read: close the connection rather than drain it.
    const headers = err.code === 'ERR_MESH_PAYLOAD_TOO_LARGE' ? { Connection: 'close' } : undefined;
    sendProblem(res, problemOf(err, errors === undefined ? undefined : { errors }), headers);
    return;
  }
  const refused: EventProblem[] = [];
  events.forEach((event, index) => {
    if (policy !== undefined && !policy.allowsTopic(event.type)) {
      refused.push({ index, code: 'ERR_MESH_FORBIDDEN', detail: `topic ${event.type} is not allowed here` });
    }
  });
  if (refused.length > 0) {
    const err = new MeshError('ERR_MESH_FORBIDDEN', `${refused.length} of ${events.length} events have a topic outside the allowed topics (${(policy as TopicPolicy).patterns.join(', ')}); none was published`);
    sendProblem(res, problemOf(err, { errors: refused }));
    return;
  }
  await publishAll(mesh, events, res);
}

/** Published in order; all were validated, so a failure here is the mesh's (closed, store down). */
async function publishAll(mesh: Mesh, events: readonly MeshEvent[], res: ServerResponse): Promise<void> {
  const results = await Promise.allSettled(events.map((event) => mesh.publish(event)));
  const accepted: string[] = [];
  let failure: unknown;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') accepted.push((events[i] as MeshEvent).id);
    else failure ??= r.reason;
  });
  if (failure === undefined) {
    const body = JSON.stringify({ ids: accepted });
    res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (!(failure instanceof MeshError)) throw failure;
  // Say which were accepted, so a client can retry only the others.
  sendProblem(res, problemOf(failure, { accepted }));
}

async function stream(
  mesh: Mesh, opts: ResolvedRouterOptions, streams: Set<EventStream>, url: URL, req: IncomingMessage, res: ServerResponse,
): Promise<void> {
  const pattern = url.searchParams.get('pattern') ?? '';
  if (!(await admitted(opts, req, res, { action: 'stream', pattern }))) return;
  if (pattern === '') {
    fail(res, 'ERR_MESH_INVALID_PATTERN', 'The query parameter "pattern" is required, e.g. ?pattern=com.shop.#');
    return;
  }
  const policy = await topicPolicy(opts, req);
  try {
    parsePattern(pattern);
    if (policy !== undefined && !policy.allowsPattern(pattern)) {
      throw new MeshError('ERR_MESH_FORBIDDEN', `pattern ${pattern} reaches beyond the allowed topics (${policy.patterns.join(', ')})`);
    }
    // Throws here (mesh closed), before the 200 is sent.
    const plan = await streamPlan(mesh, pattern, headerOrQuery(req, url));
    if (res.destroyed) {
      // The client left while a resume attached: release what was made for it.
      plan.source.start(() => undefined, () => undefined)();
      return;
    }
    new EventStream(req, res, {
      source: plan.source, notice: plan.notice, reconnect: opts.reconnect, heartbeat: opts.heartbeat, maxBuffered: opts.maxStreamBuffer,
    }, streams);
  } catch (err) {
    if (!(err instanceof MeshError)) throw err;
    sendProblem(res, problemOf(err));
  }
}

/** `Last-Event-ID` as EventSource sends it on reconnect, or `?lastEventId=` for a first connect. */
function headerOrQuery(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['last-event-id'];
  const value = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('lastEventId') ?? undefined;
  return value === undefined || value === '' ? undefined : value;
}

async function admitted(opts: ResolvedRouterOptions, req: IncomingMessage, res: ServerResponse, access: MeshAccess): Promise<boolean> {
  if (opts.auth === undefined) return true;
  const decision = await opts.auth(req, access);
  if (decision === true) return true;
  // Anything but `true` denies, so a hook that forgets to return never opens the door.
  const answer = typeof decision === 'object' && decision !== null ? decision : undefined;
  if (answer?.status === 403) fail(res, 'ERR_MESH_FORBIDDEN', answer.detail ?? 'Not allowed', answer.headers);
  else fail(res, 'ERR_MESH_UNAUTHORIZED', answer?.detail ?? 'Missing or invalid credentials', answer?.headers);
  return false;
}

async function topicPolicy(opts: ResolvedRouterOptions, req: IncomingMessage): Promise<TopicPolicy | undefined> {
  return typeof opts.topics === 'function' ? opts.topics(req) : opts.topics;
}

/** A hook that threw or a bug: Express's error handler decides; without one, a bare 500. */
function unexpected(err: unknown, res: ServerResponse, next: Next | undefined): void {
  if (next !== undefined) {
    next(err);
    return;
  }
  if (!res.headersSent) res.statusCode = 500;
  res.end();
}
