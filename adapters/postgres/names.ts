/** The qualified, quoted names one store instance uses, computed once from its options. */
export interface Names {
  readonly schema: string;
  /** `"schema"."events"` and so on, ready to splice into SQL. */
  readonly events: string;
  readonly durables: string;
  readonly deliveries: string;
  /** The claim function (one round trip per batch a durable takes). */
  readonly claim: string;
  /** NOTIFY channel of the events table: every append statement notifies it once. */
  readonly channel: string;
  /** The events table's name alone, for the version row and derived object names. */
  readonly eventsTable: string;
}

export interface NameOptions {
  readonly schema: string;
  readonly tables: { readonly events: string; readonly durables: string; readonly deliveries: string };
}

/** Identifiers were checked against [a-z_][a-z0-9_]* by the option checks: quoting cannot be escaped from. */
export function namesOf({ schema, tables }: NameOptions): Names {
  const q = (name: string): string => `"${schema}"."${name}"`;
  return {
    schema,
    events: q(tables.events),
    durables: q(tables.durables),
    deliveries: q(tables.deliveries),
    claim: q(`${tables.events}_claim`),
    channel: `${schema}.${tables.events}`,
    eventsTable: tables.events,
  };
}
