import type { IncomingMessage, ServerResponse } from 'node:http';
import { MeshError, parsePattern, type Mesh } from '../src/index.js';
import { EventIds, type EventFactory, type MeshEvent } from '../src/internal.js';
import { overRate } from './rate-limit.js';
import { callerGrant, type CallerGrant, type TopicPolicy } from './access.js';
import { admitted } from './admit.js';
import { BodyAborted, readBody } from './body.js';
import { EventStream } from './event-stream.js';
import { ingest, type EventProblem } from './ingest.js';
import { resolveRouterOptions, type MeshRouterOptions, type ResolvedRouterOptions } from './options.js';
import { problemOf, sendProblem, unexpected, type Next } from './problem.js';
import { streamPlan } from './resume.js';

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
  const caller = await admitted(opts.auth, req, res, { action: 'publish' });
  if (caller === undefined) return;
  const policy = await topicPolicy(opts, req);
  const grant = callerGrant(mesh, caller.identity);
  let events: MeshEvent[];
  try {
    events = ingest(factory, req.headers, await readBody(req, opts.limit, opts.bodyTimeout));
  } catch (err) {
    if (err instanceof BodyAborted) return;
    if (!(err instanceof MeshError)) throw err;
    const errors = (err.details as { errors?: EventProblem[] } | undefined)?.errors;
    // The rest of a refused body is not read: close the connection rather than drain it.
    const unread = err.code === 'ERR_MESH_PAYLOAD_TOO_LARGE' || err.code === 'ERR_MESH_BODY_TIMEOUT';
    const headers = unread ? { Connection: 'close' } : undefined;
    sendProblem(res, problemOf(err, errors === undefined ? undefined : { errors }), headers);
    return;
  }
  const refused = refusedEvents(events, policy, grant);
  if (refused.length > 0) {
    const err = new MeshError('ERR_MESH_FORBIDDEN', `${refused.length} of ${events.length} events have a topic this caller may not publish; none was published`, {
      details: grant === undefined ? undefined : { identity: grant.identity },
    });
    sendProblem(res, problemOf(err, { errors: refused }));
    return;
  }
  if (overRate(mesh, req, res, events.length)) return;
  await publishAll(mesh, events, res);
}

/** The events outside `allowedTopics`, or outside the caller's `acl` grant. */
function refusedEvents(events: readonly MeshEvent[], policy: TopicPolicy | undefined, grant: CallerGrant | undefined): EventProblem[] {
  const refused: EventProblem[] = [];
  events.forEach((event, index) => {
    if (policy !== undefined && !policy.allowsTopic(event.type)) {
      refused.push({ index, code: 'ERR_MESH_FORBIDDEN', detail: `topic ${event.type} is not allowed here (${policy.patterns.join(', ')})` });
    } else if (grant !== undefined && !grant.allowsTopic(event.type)) {
      refused.push({ index, code: 'ERR_MESH_FORBIDDEN', detail: `topic ${event.type} is not granted to ${grant.identity} (acl)` });
    }
  });
  return refused;
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
  const caller = await admitted(opts.auth, req, res, { action: 'stream', pattern });
  if (caller === undefined) return;
  const policy = await topicPolicy(opts, req);
  try {
    checkStreamPattern(pattern);
    if (policy !== undefined && !policy.allowsPattern(pattern)) {
      throw new MeshError('ERR_MESH_FORBIDDEN', `pattern ${pattern} reaches beyond the allowed topics (${policy.patterns.join(', ')})`);
    }
    const grant = callerGrant(mesh, caller.identity);
    if (grant !== undefined && !grant.allowsPattern(pattern)) {
      throw new MeshError('ERR_MESH_FORBIDDEN', `pattern ${pattern} reaches beyond what ${grant.identity} is granted (acl)`, { details: { identity: grant.identity } });
    }
    // Checked before a resume attaches a durable for it, and again once it has.
    if (streams.size >= opts.maxStreams) throw tooManyStreams(opts);
    // Throws here (mesh closed), before the 200 is sent.
    const plan = await streamPlan(mesh, pattern, headerOrQuery(req, url));
    const full = streams.size >= opts.maxStreams;
    if (res.destroyed || full) {
      // The client left while a resume attached, or the last places went meanwhile:
      // release what was made for it.
      plan.source.start(() => undefined, () => undefined)();
      if (full) throw tooManyStreams(opts);
      return;
    }
    new EventStream(req, res, {
      source: plan.source, notice: plan.notice, reconnect: opts.reconnect, heartbeat: opts.heartbeat, maxBuffered: opts.maxStreamBuffer,
    }, streams);
  } catch (err) {
    if (!(err instanceof MeshError)) throw err;
    const retryAfter = err.code === 'ERR_MESH_TOO_MANY_STREAMS' ? { 'Retry-After': String(retryAfterSeconds(opts)) } : undefined;
    sendProblem(res, problemOf(err), retryAfter);
  }
}

// An unencoded `#` in a URL starts its fragment, which clients never send: `?pattern=a.#`
// arrives as `a.` and `?pattern=#` as nothing. Both say so rather than only "invalid".
const FRAGMENT_HINT = 'a "#" in the query must be sent encoded, as %23 (encodeURIComponent does it): unencoded it starts the URL fragment, which is never sent';

/** Throws `ERR_MESH_INVALID_PATTERN` for a stream pattern the mesh would refuse, with a hint where `#` was cut off. */
function checkStreamPattern(pattern: string): void {
  if (pattern === '') {
    throw new MeshError('ERR_MESH_INVALID_PATTERN', `The query parameter "pattern" is required, e.g. ?pattern=com.shop.%23 (${FRAGMENT_HINT})`, {
      details: { pattern, hint: FRAGMENT_HINT },
    });
  }
  if (pattern.endsWith('.')) {
    throw new MeshError('ERR_MESH_INVALID_PATTERN', `Invalid pattern ${JSON.stringify(pattern)}: it ends with an empty level, as when a "#" after it was cut off (${FRAGMENT_HINT})`, {
      details: { pattern, hint: FRAGMENT_HINT },
    });
  }
  parsePattern(pattern);
}

function tooManyStreams(opts: ResolvedRouterOptions): MeshError {
  return new MeshError('ERR_MESH_TOO_MANY_STREAMS', `This server already serves ${opts.maxStreams} event streams; retry after ${retryAfterSeconds(opts)} s`, {
    details: { maxStreams: opts.maxStreams },
  });
}

/** The reconnection delay the router advises (`reconnect`), else 5 s, in whole seconds. */
function retryAfterSeconds(opts: ResolvedRouterOptions): number {
  return Math.max(1, Math.ceil((opts.reconnect ?? 5000) / 1000));
}

/** `Last-Event-ID` as EventSource sends it on reconnect, or `?lastEventId=` for a first connect. */
function headerOrQuery(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['last-event-id'];
  const value = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('lastEventId') ?? undefined;
  return value === undefined || value === '' ? undefined : value;
}

async function topicPolicy(opts: ResolvedRouterOptions, req: IncomingMessage): Promise<TopicPolicy | undefined> {
  return typeof opts.topics === 'function' ? opts.topics(req) : opts.topics;
}
