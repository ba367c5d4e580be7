import { MeshError } from '../errors.js';
import { FrameDecoder } from '../wire/frame-decoder.js';
import { encodeFrame, type WireFrame } from '../wire/frame.js';
import type { Link } from './link.js';

class MemoryLink implements Link {
  onFrame: ((frame: WireFrame) => void) | undefined = undefined;
  onClose: (() => void) | undefined = undefined;
  other!: MemoryLink;
  ended = false;
  private readonly inbox: Buffer[] = [];
  private scheduled = false;
  private readonly decoder = new FrameDecoder({
    onFrame: (frame) => this.onFrame?.(frame),
    onError: () => this.close(),
  });

  send(frame: WireFrame): void {
    if (this.ended) throw new MeshError('ERR_MESH_CLOSED', 'link is closed');
    // Real bytes, so the codec is exercised exactly as over a socket.
    this.other.receive(encodeFrame(frame));
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.other.close();
    queueMicrotask(() => this.onClose?.());
  }

  private receive(bytes: Buffer): void {
    this.inbox.push(bytes);
    // Delivered on a later microtask, as a network would: a send never re-enters the sender.
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const batch = this.inbox.splice(0);
      for (const chunk of batch) if (!this.ended) this.decoder.push(chunk);
    });
  }
}

/** Two connected link ends in one process, for tests of peer logic without sockets. */
export function memoryLinkPair(): [Link, Link] {
  const a = new MemoryLink();
  const b = new MemoryLink();
  a.other = b;
  b.other = a;
  return [a, b];
}
