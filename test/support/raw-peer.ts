import type { Mesh } from '../../src/index.js';
import { memoryLinkPair } from '../../src/federation/memory-link.js';
import type { Link } from '../../src/federation/link.js';
import { eventFrame, helloFrame, listenFrame, replyFrame, type Destinations } from '../../src/federation/peer-frames.js';
import { kernelOf } from '../../src/mesh/mesh.js';
import type { WireFrame } from '../../src/wire/frame.js';
import { until } from './expect-code.js';

/**
 * A hand-driven peer: it speaks the peer frames itself over an in-memory link to `mesh`,
 * so a test can send what no honest node would (a spoofed destination, a forged reply).
 */
export class RawPeer {
  readonly frames: WireFrame[] = [];
  private seq = 0;

  private constructor(readonly node: string, private readonly link: Link) {
    link.onFrame = (frame) => void this.frames.push(frame);
  }

  /** Connects to `mesh` as peer `node`, says HELLO and LISTEN, and waits for the mesh's LISTEN (its table is in). */
  static async join(mesh: Mesh, node: string, token?: string): Promise<RawPeer> {
    const [ours, theirs] = memoryLinkPair();
    const peer = new RawPeer(node, ours);
    kernelOf(mesh).federate().attach(theirs, false);
    ours.send(helloFrame(peer.next(), node, '1.0.0', token));
    await until(() => peer.frames.some((f) => f.header.cmd === 'LISTEN_REQUEST'));
    ours.send(listenFrame(peer.next()));
    return peer;
  }

  /** The id `mesh` advertised for its subscription of `pattern`, once advertised. */
  async subId(pattern: string): Promise<string> {
    let id: string | undefined;
    await until(() => (id = this.advertised().find((a) => a.pattern === pattern)?.sub) !== undefined);
    return id as string;
  }

  /** What the mesh advertised to this peer: node, subscription id and pattern. */
  advertised(): { node: string; sub: string; pattern: string }[] {
    return this.frames.filter((f) => f.header.cmd === 'SUBSCRIBE_REQUEST').map((f) => ({
      node: String(f.header.properties['evmeshnode']),
      sub: String(f.header.properties['evmeshsub']),
      pattern: (JSON.parse(String(f.body)) as { topicList: { topic: string }[] }).topicList[0]?.topic as string,
    }));
  }

  /** Sends `event` (a CloudEvent in JSON form) as if forwarded from `origin` to `dest`. */
  sendEvent(event: Record<string, unknown>, dest: Destinations, origin = this.node, deadline?: number): void {
    const body = Buffer.from(JSON.stringify({ specversion: '1.0', source: '/raw', ...event }));
    const cmd = deadline === undefined ? 'ASYNC_MESSAGE_TO_SERVER' : 'REQUEST_TO_SERVER';
    this.link.send(eventFrame(deadline === undefined ? undefined : this.next(), cmd, body, origin, dest, 1, deadline));
  }

  /** Sends a reply to request `inReplyTo` for node `dest`. */
  sendReply(dest: string, inReplyTo: string, reply: Record<string, unknown>): void {
    const body = Buffer.from(JSON.stringify({ specversion: '1.0', source: '/raw', id: `r-${inReplyTo}`, type: 'reply', inreplyto: inReplyTo, ...reply }));
    this.link.send(replyFrame(this.next(), body, dest, inReplyTo));
  }

  /** The events (and requests) the mesh sent this peer, as JSON. */
  received(): Record<string, unknown>[] {
    return this.frames.filter((f) => f.header.cmd === 'ASYNC_MESSAGE_TO_SERVER' || f.header.cmd === 'REQUEST_TO_SERVER')
      .map((f) => JSON.parse(String(f.body)) as Record<string, unknown>);
  }

  close(): void {
    this.link.close();
  }

  private next(): string {
    return String(++this.seq);
  }
}
