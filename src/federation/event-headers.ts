import { MeshError } from '../errors.js';
import { BATCH_FORMAT, BATCH_PROPERTY } from '../wire/bodies/event-batch.js';
import type { WireHeader } from '../wire/header.js';
import { eventFrame, isDestinations, type Destinations } from './peer-frames.js';

/** The header of an event frame, and of a batch frame of such events (PROTOCOL §5.2, §5.6). */
export interface EventHeader {
  readonly single: WireHeader;
  readonly batch: WireHeader;
}

interface SentHeader {
  readonly origin: string;
  readonly hops: number;
  readonly dest: Destinations;
  /** Nodes in `dest`. */
  readonly nodes: number;
  readonly header: EventHeader;
}

/** What an arriving event's `evmeshdest` asks of this node (PROTOCOL §5.3). */
export interface DestinationSplit {
  /** This node's subscriptions named in it. */
  readonly mine: readonly string[] | undefined;
  /** The other nodes' part, to forward; never mutated (it is shared between frames). */
  readonly rest: Destinations | undefined;
}

/**
 * The repeated parts of event frames, worked out once while they repeat. A stream of
 * events to the same destinations sends the very same header object on a link
 * (PROTOCOL §5.2: event frames carry no seq), which the encoder then encodes once and
 * the receiving decoder decodes once; the receiver reads the same `evmeshdest` text
 * only once. Instance state, one per federation: nothing is shared between meshes.
 */
export class EventHeaders {
  private readonly sent = new Map<string, SentHeader>();
  private lastText: string | undefined;
  private lastSplit: DestinationSplit = { mine: undefined, rest: undefined };

  constructor(private readonly self: string) {}

  /**
   * The headers of an event (not a request) for `dest` on `link`: the same objects while
   * they repeat, which is also what lets the encoder add the event to the open batch.
   */
  header(link: string, origin: string, dest: Destinations, hops: number): EventHeader {
    const memo = this.sent.get(link);
    if (memo !== undefined && memo.origin === origin && memo.hops === hops && sameDestinations(dest, memo.dest, memo.nodes)) {
      return memo.header;
    }
    const single = eventFrame(undefined, 'ASYNC_MESSAGE_TO_SERVER', undefined, origin, dest, hops).header;
    const header = { single, batch: { ...single, properties: { ...single.properties, [BATCH_PROPERTY]: BATCH_FORMAT } } };
    this.sent.set(link, { origin, hops, dest, nodes: Object.keys(dest).length, header });
    return header;
  }

  /** A link is gone: forget its header. */
  forget(link: string): void {
    this.sent.delete(link);
  }

  /** Parses (or recalls) an `evmeshdest` value and splits it into this node's part and the rest. */
  split(text: string): DestinationSplit {
    if (text === this.lastText) return this.lastSplit;
    let dest: unknown;
    try {
      dest = JSON.parse(text);
    } catch (err) {
      throw new MeshError('ERR_MESH_WIRE_BAD_BODY', 'malformed "evmeshdest"', { cause: err });
    }
    if (!isDestinations(dest)) throw new MeshError('ERR_MESH_WIRE_BAD_BODY', 'malformed "evmeshdest"');
    let mine: string[] | undefined;
    let rest: Destinations | undefined;
    for (const node of Object.keys(dest)) {
      if (node === this.self) mine = dest[node];
      // Null prototype: a node named "__proto__" stays a key, not a prototype.
      else (rest ??= Object.create(null) as Destinations)[node] = dest[node] as string[];
    }
    this.lastText = text;
    this.lastSplit = { mine, rest };
    return this.lastSplit;
  }
}

/** `a` names the same `nodes` nodes as `b`, with the same subscriptions in the same order. */
function sameDestinations(a: Destinations, b: Destinations, nodes: number): boolean {
  let count = 0;
  for (const node in a) {
    const x = a[node] as string[];
    const y = Object.hasOwn(b, node) ? b[node] : undefined;
    if (y === undefined || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    count++;
  }
  return count === nodes;
}
