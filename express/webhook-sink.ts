import { MeshError, patternMatcher, type Mesh, type MeshEvent, type SubscribeOptions, type Subscription } from '../src/index.js';
import { binaryBody, binaryHeaders, traceHeaders } from './http-binding.js';
import { excludesType } from './excludes-type.js';

export interface WebhookSinkOptions extends Omit<SubscribeOptions, 'pipe'> {
  /** Where each event is POSTed, in CloudEvents HTTP binary mode. */
  readonly url: string | URL;
  /** Extra request headers (e.g. authorization), fixed or per event. */
  readonly headers?: Readonly<Record<string, string>> | ((event: MeshEvent) => Readonly<Record<string, string>>);
  /**
   * Per delivery attempt, in ms; a slower answer counts as a failure.
   * @default 10000
   */
  readonly timeout?: number;
  /**
   * The request method (the Subscriptions API's HTTP `method` setting).
   * @default 'POST'
   */
  readonly method?: 'POST' | 'PUT';
}

/**
 * Delivers every event matching `pattern` to a URL, one POST per event in binary
 * mode (an event's `traceparent`, `tracestate` and `baggage` extensions also go as the
 * plain W3C headers, for the receiver's tracing), through an ordinary subscription: a non-2xx answer (redirects are not followed), a timeout or a
 * network error fails the handler (`ERR_MESH_WEBHOOK_FAILED`), so the
 * subscription's `retry`, backoff and `deadLetter` apply as to any handler.
 * Returns that subscription; `unsubscribe()` stops the deliveries.
 * @example webhookSink(mesh, 'com.shop.order.*', { url: 'https://hooks.example/orders', retry: { attempts: 5 }, deadLetter: 'com.shop.dlq' })
 */
export function webhookSink(mesh: Mesh, pattern: string, options: WebhookSinkOptions): Subscription {
  if (typeof options !== 'object' || options === null) throw invalid('webhookSink options must be an object with a url');
  const { url, headers, timeout = 10_000, method = 'POST', ...subscribeOptions } = options;
  const target = targetOf(url);
  if (!Number.isInteger(timeout) || timeout < 1) throw invalid('timeout must be an integer >= 1 (ms)');
  if (method !== 'POST' && method !== 'PUT') throw invalid('method must be POST or PUT');
  if (headers !== undefined && typeof headers !== 'object' && typeof headers !== 'function') throw invalid('headers must be an object or a function');
  // A dead letter the sink itself takes would be POSTed, fail, and be dead-lettered again, forever.
  const { deadLetter, filter } = subscribeOptions;
  if (typeof deadLetter === 'string' && typeof pattern === 'string' && safeMatch(pattern, deadLetter) && !excludesType(filter, deadLetter)) {
    throw invalid(`deadLetter ${subscribeOptions.deadLetter} matches the sink's own pattern ${pattern}: failures would loop`);
  }
  return mesh.subscribe(pattern, async (event) => {
    await deliver(target, method, event, typeof headers === 'function' ? headers(event) : headers, timeout);
  }, subscribeOptions);
}

async function deliver(url: URL, method: string, event: MeshEvent, extra: Readonly<Record<string, string>> | undefined, timeout: number): Promise<void> {
  const { body, contentType } = binaryBody(event);
  const headers: Record<string, string> = { ...extra, ...binaryHeaders(event), ...traceHeaders(event) };
  if (contentType !== undefined) headers['content-type'] = contentType;
  let response: Response;
  try {
    // Not followed: on a 301/302/303 fetch would GET the new address without the
    // event, and its 200 would count as a delivery. A 3xx is a failed attempt.
    response = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeout) });
  } catch (err) {
    throw new MeshError('ERR_MESH_WEBHOOK_FAILED', `${method} ${url.href} failed: ${(err as Error).message}`, {
      cause: err, details: { url: url.href, eventId: event.id },
    });
  }
  // Read to the end so the connection goes back to the pool.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) {
    throw new MeshError('ERR_MESH_WEBHOOK_FAILED', `${method} ${url.href} answered ${response.status}`, {
      details: { url: url.href, status: response.status, eventId: event.id },
    });
  }
}

function targetOf(url: unknown): URL {
  let parsed: URL;
  try {
    parsed = new URL(url as string | URL);
  } catch (err) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', `webhookSink url ${String(url)} is not a URL`, { cause: err });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid(`webhookSink url must be http(s), not ${parsed.protocol}`);
  return parsed;
}

/** A bad pattern is left for subscribe() to report with its own code. */
function safeMatch(pattern: string, topic: string): boolean {
  try {
    return patternMatcher(pattern)(topic);
  } catch {
    return false;
  }
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
