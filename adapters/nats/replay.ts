import type * as NatsModule from 'nats';
import type { ConsumerConfig, JetStreamClient, JetStreamManager } from 'nats';
import { MeshError, type StoreReplayFrom } from '../../src/index.js';

type Nats = typeof NatsModule;
type StartAt = Pick<Partial<ConsumerConfig>, 'deliver_policy' | 'opt_start_seq' | 'opt_start_time'>;

/**
 * Where a new durable consumer starts. A time is JetStream's own `by_start_time`
 * (the server's append timestamp, which is what `from.time` means). An event id has
 * no index in JetStream, so the stream is scanned once, when the durable is
 * created, for the message carrying it; the durable then starts right after it.
 */
export async function startAt(lib: Nats, js: JetStreamClient, jsm: JetStreamManager, stream: string, from: StoreReplayFrom | undefined): Promise<StartAt> {
  if (from === undefined) return { deliver_policy: lib.DeliverPolicy.New };
  if ('time' in from) return { deliver_policy: lib.DeliverPolicy.StartTime, opt_start_time: new Date(from.time).toISOString() };
  const seq = await findSequence(lib, js, jsm, stream, from.afterId);
  if (seq === undefined) {
    throw new MeshError('ERR_MESH_INVALID_OPTIONS', `Stream ${stream} holds no event with id ${JSON.stringify(from.afterId)}`, {
      details: { afterId: from.afterId },
    });
  }
  return { deliver_policy: lib.DeliverPolicy.StartSequence, opt_start_seq: seq + 1 };
}

/** The stream sequence of the (first) message whose CloudEvent id is `id`, read once from the start. */
async function findSequence(lib: Nats, js: JetStreamClient, jsm: JetStreamManager, stream: string, id: string): Promise<number | undefined> {
  const { state } = await jsm.streams.info(stream);
  if (state.messages === 0) return undefined;
  // Our bodies are JSON.stringify of the event: `"id":<json string>` appears verbatim;
  // a hit is confirmed by parsing, so a data field that happens to contain it cannot fool us.
  const needle = Buffer.from(`"id":${JSON.stringify(id)}`);
  // A plain ephemeral consumer rather than the client's ordered consumer, whose
  // create request nats-server 2.9 never answers. Unacknowledged reads, dropped after.
  const scan = await jsm.consumers.add(stream, {
    ack_policy: lib.AckPolicy.None, deliver_policy: lib.DeliverPolicy.All, inactive_threshold: lib.nanos(30_000),
  });
  const reader = await js.consumers.get(stream, scan.name);
  const messages = await reader.consume({ max_messages: 512 });
  let found: number | undefined;
  let done = false;
  try {
    // Never `break` out: the iterator runs its own stop only while it is being read.
    for await (const m of messages) {
      if (done) continue;
      if (Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).indexOf(needle) >= 0 && idOf(m.data) === id) found = m.seq;
      if (found !== undefined || m.seq >= state.last_seq) {
        done = true;
        void messages.close();
      }
    }
  } finally {
    await jsm.consumers.delete(stream, scan.name).catch(() => undefined);
  }
  return found;
}

function idOf(body: Uint8Array): unknown {
  try {
    return (JSON.parse(Buffer.from(body).toString('utf8')) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}
