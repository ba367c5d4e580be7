import type { MeshEvent } from '../event/mesh-event.js';
import { addDestination, type Destinations } from './destinations.js';
import { deliverMatched } from './dispatcher.js';
import { pickMember } from './group.js';
import type { Route } from './routing-table.js';
import type { MeshSubscription, RemoteTarget } from './subscription.js';

/** What the caller does with a subscription that was full and did not take the event (park it, or refuse it). */
export type OnFull = (sub: MeshSubscription, event: MeshEvent) => void;

/**
 * Delivers what a route holds besides its plain local subscriptions (which the publisher
 * runs in its own loop, kept inline on the hot path): one member per group, picked
 * round-robin, and the subscriptions standing for remote ones. Remote subscriptions are
 * not run but collected, and the destinations come back to the caller, which forwards
 * them once per next hop. A handler that publishes inside gets its own route and its own
 * destinations: nothing is shared between nested publishes. Local subscriptions that are
 * full go to `onFull`.
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
