import type { Redis } from 'ioredis';

/** XRANGE page size when the lag has to be counted entry by entry. */
const PAGE = 1000;

/**
 * The backlog of consumer group `group` on `stream`: entries delivered to a member and
 * not acknowledged (`pending`, the group's PEL, the count XPENDING's summary gives)
 * plus entries not delivered to the group yet (`lag`). Every durable reads the one
 * stream of all events and acknowledges at once the entries its pattern does not
 * match, so the lag counts entries of every type after the group's last delivered
 * one. Undefined when the stream or the group does not exist.
 *
 * One XINFO GROUPS call. Redis 7 reports `lag` there; where it cannot (Redis 6.2, or a
 * null lag: a group created mid-stream by a replay, entries deleted inside its range)
 * the entries after `last-delivered-id` are counted with XRANGE, a page at a time:
 * exact, and as dear as the lag is long.
 */
export async function groupBacklog(client: Redis, stream: string, group: string): Promise<number | undefined> {
  let groups: unknown[][];
  try {
    groups = (await client.call('XINFO', 'GROUPS', stream)) as unknown[][];
  } catch (err) {
    if (/no such key/i.test(String((err as Error).message))) return undefined;
    throw err;
  }
  const info = groups.map(fields).find((g) => g.get('name') === group);
  if (info === undefined) return undefined;
  const pending = Number(info.get('pending'));
  const lag = info.get('lag');
  if (typeof lag === 'number') return pending + lag;
  return pending + (await countAfter(client, stream, String(info.get('last-delivered-id'))));
}

async function countAfter(client: Redis, stream: string, id: string): Promise<number> {
  let count = 0;
  let from = `(${id}`;
  for (;;) {
    const page = (await client.xrange(stream, from, '+', 'COUNT', PAGE)) as [string, unknown][];
    count += page.length;
    if (page.length < PAGE) return count;
    from = `(${(page[page.length - 1] as [string, unknown])[0]}`;
  }
}

/** An XINFO reply (`[name, value, name, value, …]`) as a map. */
function fields(flat: readonly unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}
