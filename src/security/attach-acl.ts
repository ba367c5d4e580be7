import type { Hooks } from '../hooks/hooks.js';
import { parsePattern } from '../topic/pattern.js';
import type { Acl } from './acl.js';

/**
 * Enforces `acl` on the hooks (PROTOCOL §9.4); in-process code is not checked.
 * - What a peer or client brings in (`onRemoteEvent`): its topic must be granted to
 *   `publish` (a peer's event by its type, a stock client's by its subject).
 * - What it subscribes (`onRemoteSubscribe`): a client's topic must be wholly inside its
 *   `subscribe` grant; a peer's advertisement must overlap it (one wholly outside is not
 *   routed to at all), and what leaves over the link is checked event by event.
 * - What leaves over a peer link (`onRemoteSend`): its type must be granted to that peer
 *   to `subscribe`, whatever it advertised. Not reported: a partial grant filters.
 */
export function attachAcl(hooks: Hooks, acl: Acl): void {
  hooks.add('onRemoteEvent', (event, from) => {
    const topic = from.kind === 'client' ? event.subject : event.type;
    if (topic !== undefined && acl.grant(from.identity, 'publish').allows(topic)) return true;
    acl.refused(from.identity, from.kind, 'publish', topic ?? event.type);
    return false;
  });
  hooks.add('onRemoteSubscribe', (adv, from) => {
    const grant = acl.grant(from.identity, 'subscribe');
    const { levels } = parsePattern(adv.pattern);
    if (from.kind === 'client' ? grant.covers(levels) : grant.overlaps(levels)) return true;
    acl.refused(from.identity, from.kind, 'subscribe', adv.pattern);
    return false;
  });
  hooks.add('onRemoteSend', (event, to) => acl.grant(to.identity, 'subscribe').allows(event.type));
}
