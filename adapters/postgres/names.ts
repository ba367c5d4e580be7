/** The qualified, quoted names one store instance uses, computed once from its options. */
export interface Names {
  readonly schema: string;
  /** `"schema"."events"` and so on, ready to splice into SQL. */
  readonly events: string;
  readonly durables: string;
  readonly deliveries: string;
  /** The claim function (one round trip per batch a durable takes). */
  readonly claim: string;
  /** The function a reader hands deliveries back with (release.ts). */
  readonly release: string;
  /** NOTIFY channel of the events table: every append statement notifies it once. */
  readonly channel: string;
  /** The events table's name alone, for the version row and derived object names. */
  readonly eventsTable: string;
  /** First key of the two-key advisory locks a writing transaction holds on this events table (horizon.ts). */
  readonly holdKey: number;
  /** Transaction-local setting saying this transaction already holds its lock on the events table. */
  readonly heldFlag: string;
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
    release: q(`${tables.events}_release`),
    channel: `${schema}.${tables.events}`,
    eventsTable: tables.events,
    holdKey: hash31(`evmesh:${schema}.${tables.events}`),
    // Lengths first: "a_b"+"c" and "a"+"b_c" must not share a flag.
    heldFlag: `evmesh.held_${schema.length}_${schema}_${tables.events}`,
  };
}

/** FNV-1a, 31 bits: a non-negative int4, so pg_locks.classid (an oid) shows it as it is. */
function hash31(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}
