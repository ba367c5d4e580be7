import { MeshError } from '../errors.js';
import type { MeshEvent } from '../event/mesh-event.js';
import { groupAccepts } from '../delivery/group.js';
import type { Route } from '../delivery/routing-table.js';
import type { MeshSubscription } from '../delivery/subscription.js';
import { matchLevels, parsePattern } from '../topic/pattern.js';
import type { RequestOutcome } from '../hooks/hook-list.js';
import type { Kernel } from './kernel.js';

/** A request about to be opened: `mesh.request`'s, or a stock client's (PROTOCOL §8.5). */
export interface RequestSpec {
  readonly event: MeshEvent;
  /** What it is routed by (its type, or a stock client's subject), and its `route`. */
  readonly topic: string;
  readonly route: Route;
  readonly timeout: number;
  /**
   * Durable subscriptions count as responders. They match the type in the store,
   * so not for a request routed by subject (PROTOCOL §8.5).
   */
  readonly durable: boolean;
  /** Routes the event; a throw cancels the request. */
  readonly send: () => void;
}

/**
 * Opens a request and sends it (api.md, Requests). Throws ERR_MESH_INVALID_EVENT when
 * one with its id is open (replies are matched by id, so two could not be told
 * apart), and ERR_MESH_NO_RESPONDER at once when no subscription would take it.
 */
export function openRequest(k: Kernel, spec: RequestSpec): Promise<MeshEvent> {
  const { event, topic } = spec;
  if (k.requests.isOpen(event.id)) {
    throw new MeshError('ERR_MESH_INVALID_EVENT', `A request with id ${event.id} is already open`, { details: { eventId: event.id } });
  }
  const hooks = k.hooks;
  if (!hasResponder(k, spec)) {
    if (hooks.onRequestDone !== undefined) hooks.run('onRequestDone', 'no_responder', event.type);
    throw new MeshError('ERR_MESH_NO_RESPONDER', `No subscriber matches ${topic}`, { details: { topic } });
  }
  const reply = k.requests.open(event, spec.timeout);
  try {
    spec.send();
  } catch (err) {
    k.requests.cancel(event);
    throw err;
  }
  if (hooks.onRequestDone !== undefined) {
    reply.then(() => hooks.run('onRequestDone', 'ok', event.type), (err: unknown) => {
      hooks.run('onRequestDone', outcomeOf(err), event.type);
    });
  }
  return reply;
}

function outcomeOf(err: unknown): RequestOutcome {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MESH_TIMEOUT' ? 'timeout' : code === 'ERR_MESH_NO_RESPONDER' ? 'no_responder' : 'failed';
}

/** Whether a live (or, where counted, durable) subscription here would take the request; proxies stand for remote ones. */
function hasResponder(k: Kernel, { event, route, durable }: RequestSpec): boolean {
  const takes = (sub: MeshSubscription): boolean => sub.live && (sub.filter === undefined || sub.filter(event));
  if (route.subs.some(takes)) return true;
  if (route.groups !== undefined && route.groups.some((g) => groupAccepts(g, event))) return true;
  if (route.remote !== undefined && route.remote.some(takes)) return true;
  if (!durable) return false;
  let topic: string[] | undefined;
  for (const sub of k.durables.subscriptions()) {
    if (takes(sub) && matchLevels(parsePattern(sub.pattern).levels, (topic ??= event.type.split('.')))) return true;
  }
  return false;
}
