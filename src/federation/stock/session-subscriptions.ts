import { compileFilter } from '../../filter/dialects.js';
import type { MeshEvent } from '../../event/mesh-event.js';
import type { MeshSubscription } from '../../delivery/subscription.js';
import type { SubscriptionItem } from '../../wire/bodies/subscription.js';
import type { WireCommand } from '../../wire/constants.js';
import type { StockHost } from './stock-host.js';
import { topicFilter, topicsFilter } from './topic-filter.js';

type Mode = SubscriptionItem['mode'];

/** The push command of the item an event came in through. */
type CommandOf = (event: MeshEvent) => WireCommand;

/** The one mesh subscription standing for a session's items of one mode. */
interface Registered {
  /** What it was made from (group, items' types and topics, in order): unchanged items keep it. */
  readonly signature: string;
  readonly sub: MeshSubscription;
  readonly commandOf: CommandOf;
}

/** PROTOCOL §11.6: BROADCASTING → broadcast; CLUSTERING + SYNC → request; CLUSTERING + ASYNC → async. */
function pushCommandOf(item: SubscriptionItem): WireCommand {
  if (item.mode === 'BROADCASTING') return 'BROADCAST_MESSAGE_TO_CLIENT';
  return item.type === 'SYNC' ? 'REQUEST_TO_CLIENT' : 'ASYNC_MESSAGE_TO_CLIENT';
}

/**
 * The push command per event: one for all when the items agree (the usual case, nothing
 * evaluated per event); else that of the first item, in subscription order, whose topic
 * the event matches (a session mixing SYNC and ASYNC items of one mode).
 */
function commandsOf(items: readonly SubscriptionItem[]): CommandOf {
  const first = pushCommandOf(items[0] as SubscriptionItem);
  if (items.every((item) => pushCommandOf(item) === first)) return () => first;
  const tests = items.map((item) => {
    const filter = topicFilter(item.topic);
    return { accepts: filter === undefined ? undefined : compileFilter(filter), cmd: pushCommandOf(item) };
  });
  return (event) => {
    for (const t of tests) if (t.accepts === undefined || t.accepts(event)) return t.cmd;
    return first;
  };
}

/**
 * PROTOCOL §8.2: a session's subscription items as mesh subscriptions, one per mode at
 * most. All its CLUSTERING items are one member of its group (however many topics it
 * has, and however many of them an event matches, it takes one turn); all its
 * BROADCASTING items one subscription without a group.
 */
export class SessionSubscriptions {
  private clustering: Registered | undefined = undefined;
  private broadcasting: Registered | undefined = undefined;

  constructor(
    private readonly host: StockHost,
    private readonly deliver: (event: MeshEvent, cmd: WireCommand) => void,
  ) {}

  /**
   * Makes the mesh subscriptions match `items`; a mode whose items did not change keeps
   * its subscription. A changed one is subscribed anew before the old one goes, so peers
   * learn the new one before the old is withdrawn.
   */
  update(items: Iterable<SubscriptionItem>, group: string): void {
    const all = [...items];
    this.clustering = this.replace(this.clustering, all.filter((i) => i.mode === 'CLUSTERING'), 'CLUSTERING', group);
    this.broadcasting = this.replace(this.broadcasting, all.filter((i) => i.mode === 'BROADCASTING'), 'BROADCASTING', group);
  }

  clear(): void {
    void this.clustering?.sub.unsubscribe();
    void this.broadcasting?.sub.unsubscribe();
    this.clustering = undefined;
    this.broadcasting = undefined;
  }

  /** The push command for `event` if the CLUSTERING subscription takes it (a re-push after another session ended). */
  takes(event: MeshEvent): WireCommand | undefined {
    const registered = this.clustering;
    if (registered === undefined) return undefined;
    const sub = registered.sub;
    if (!sub.live || (sub.filter !== undefined && !sub.filter(event))) return undefined;
    return registered.commandOf(event);
  }

  private replace(current: Registered | undefined, items: readonly SubscriptionItem[], mode: Mode, group: string): Registered | undefined {
    const signature = JSON.stringify([mode === 'CLUSTERING' ? group : '', items.map((i) => [i.type, i.topic])]);
    if (current?.signature === signature) return current;
    const next = items.length === 0 ? undefined : this.subscribe(items, mode, group, signature);
    if (current !== undefined) void current.sub.unsubscribe();
    return next;
  }

  private subscribe(items: readonly SubscriptionItem[], mode: Mode, group: string, signature: string): Registered {
    const commandOf = commandsOf(items);
    const topics = items.map((i) => i.topic);
    // Returns nothing: a value would count as this node answering a request.
    const handler = (event: MeshEvent): void => {
      this.deliver(event, commandOf(event));
    };
    const sub = this.host.subscribe('#', handler, {
      group: mode === 'CLUSTERING' ? group : undefined,
      filter: topicsFilter(topics),
      name: `stock:${topics.join(',')}`,
    });
    // Before any delivery: nothing is delivered while subscribe() runs.
    sub.servesAClient();
    return { signature, sub, commandOf };
  }
}
