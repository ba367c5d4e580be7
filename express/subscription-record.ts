import type { EventFilter, TransformSpec } from '../src/index.js';

/** The HTTP protocol settings of the Subscriptions API (§3.2.2.1). */
export interface HttpSettings {
  /** Copied into every delivery request as headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default 'POST' */
  readonly method?: 'POST' | 'PUT';
}

/**
 * A subscription as the CloudEvents Subscriptions API defines it (§3.2.1), as this
 * node realized it: what `POST /subscriptions` answers and what a catalogue keeps.
 */
export interface SubscriptionRecord {
  /** Made by the node (a UUID); unique and immutable. */
  readonly id: string;
  /** Absolute http(s) URL each matching event is delivered to. */
  readonly sink: string;
  /** Only `HTTP` is served. */
  readonly protocol: 'HTTP';
  readonly protocolsettings?: HttpSettings;
  /** Events must have one of these types (exact). */
  readonly types?: readonly string[];
  /** Events must have exactly this `source`. */
  readonly source?: string;
  /** Every filter must accept an event (the spec's dialects; `sql` not yet). */
  readonly filters?: readonly EventFilter[];
  /** Kept and returned as given; this node defines no config keys. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** evmesh's extension: reshapes each event before it is sent to the sink (README "Transforming events"). */
  readonly transform?: TransformSpec;
}

/**
 * Where the definitions of subscriptions are kept, so a router restores them after a
 * restart. Promise-only and small; `put` replaces a record with the same id.
 */
export interface SubscriptionCatalogue {
  load(): Promise<SubscriptionRecord[]>;
  put(record: SubscriptionRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Keeps the definitions in this process only: they are gone after a restart. */
export function memoryCatalogue(): SubscriptionCatalogue {
  const records = new Map<string, SubscriptionRecord>();
  return {
    load: () => Promise.resolve([...records.values()]),
    put(record) {
      records.set(record.id, record);
      return Promise.resolve();
    },
    remove(id) {
      records.delete(id);
      return Promise.resolve();
    },
  };
}
