/**
 * The W3C text forms the CloudEvents distributed-tracing extension carries, as pure
 * functions: `traceparent` and `tracestate` (W3C Trace Context, §3.2, §3.3) and
 * `baggage` (W3C Baggage, §3). Written here rather than taken from a propagator: the
 * extension's format is fixed whatever propagator an application registered (B3, say).
 */

/** The ids and flags a `traceparent` holds. */
export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

// §3.2.2: version-traceid-parentid-flags, lower-case hex. A later version may append
// fields after another '-'; version ff is invalid.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${(parent.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The parent a `traceparent` names, or undefined when it is not a valid one (§3.2.2.1–4). */
export function parseTraceparent(text: unknown): TraceParent | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TRACEPARENT.exec(text.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) };
}

/** One baggage member: its value and, as received, its properties (`;k=v` metadata). */
export interface BaggageMember {
  readonly value: string;
  readonly metadata?: string | undefined;
}

// W3C Baggage §3.3: at most 180 members and 8192 bytes in all; 4096 per member.
const MAX_MEMBERS = 180;
const MAX_MEMBER = 4096;
const MAX_TOTAL = 8192;

/** The `baggage` text of `entries` (key, member), members past the limits left out; '' for none. */
export function formatBaggage(entries: ReadonlyArray<readonly [string, BaggageMember]>): string {
  let out = '';
  let members = 0;
  for (const [key, member] of entries) {
    if (members === MAX_MEMBERS) break;
    let item = `${encodeURIComponent(key)}=${encodeURIComponent(member.value)}`;
    // Properties are opaque here (already in their header form), as in OpenTelemetry's propagator.
    if (member.metadata !== undefined && member.metadata !== '') item += `;${member.metadata}`;
    if (item.length > MAX_MEMBER) continue;
    const next = out === '' ? item : `${out},${item}`;
    if (next.length > MAX_TOTAL) break;
    out = next;
    members++;
  }
  return out;
}

/** The members of a `baggage` text; malformed members are skipped (§3.2.1.1). */
export function parseBaggage(text: unknown): Map<string, BaggageMember> {
  const out = new Map<string, BaggageMember>();
  if (typeof text !== 'string') return out;
  for (const item of text.split(',')) {
    if (out.size === MAX_MEMBERS) break;
    if (item.length > MAX_MEMBER) continue;
    const semi = item.indexOf(';');
    const pair = semi === -1 ? item : item.slice(0, semi);
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = decode(pair.slice(0, eq).trim());
    const value = decode(pair.slice(eq + 1).trim());
    if (key === undefined || key === '' || value === undefined) continue;
    const metadata = semi === -1 ? undefined : item.slice(semi + 1).trim();
    out.set(key, metadata === undefined || metadata === '' ? { value } : { value, metadata });
  }
  return out;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
