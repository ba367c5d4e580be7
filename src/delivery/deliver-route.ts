import type { MeshEvent } from '../event/mesh-event.js';
import { addDestination, type Destinations } from './destinations.js';
import { deliver, deliverMatched } from './dispatcher.js';
import { pickMember } from './group.js';
import type { Route } from './routing-table.js';
import type { MeshSubscription, RemoteTarget } from './subscription.js';

/** What the caller does with a subscription that was full and did not take the event (park it, or refuse it). */
export type OnFull = (sub: MeshSubscription, event: MeshEvent) => void;

/**
 * Delivers `event` along its route: local subscriptions run (or queue) now, in route
 * order; subscriptions standing for remote ones are not run but collected, and the
 * destinations come back to the caller, which forwards them once per next hop. A
 * handler that publishes inside gets its own route and its own destinations. Local
 * subscriptions that are full go to `onFull`.
 */
export function deliverRoute(route: Route, event: MeshEvent, onFull: OnFull): Destinations | undefined {
  const subs = route.subs;
  for (let i = 0; i < subs.length; i++) if (!deliver(subs[i]!, event)) onFull(subs[i]!, event);
  return route.groups === undefined && route.remote === undefined ? undefined : deliverRest(route, event, onFull);
}

/**
 * The part of `deliverRoute` after the plain local subscriptions: one member per group,
 * and the remote subscriptions. Apart so the common route (local subscribers only) is
 * one loop a caller can keep inline on the hot path.
 */
export function deliverRest(route: Route, event: MeshEvent, onFull: OnFull): Destinations | undefined {
  let dest: Destinations | undefined;
  const groups = route.groups;
  if (groups !== undefined) {
    for (let i = 0; i < groups.length; i++) {
      const member = pickMember(groups[i]!, event);
      if (member === undefined) continue;
      if (member.remote !== undefined) dest = addDestination(dest, member.remote);
      else if (!deliverMatched(member, event)) onFull(member, event);
    }
  }
  const remote = route.remote;
  if (remote !== undefined) {
    for (let i = 0; i < remote.length; i++) {
      const proxy = remote[i]!;
      if (proxy.live && (proxy.filter === undefined || proxy.filter(event))) dest = addDestination(dest, proxy.remote as RemoteTarget);
    }
  }
  return dest;
}
