import { MeshError } from '../errors.js';
import { DEFAULT_MAX_FRAME } from './constants.js';
import { checkMaxFrame, encodeFrame, type WireFrame } from './frame.js';

/** The part of a `net.Socket` the encoder uses, so tests can pass a fake. */
export interface WritableLike {
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface FrameEncoderOptions {
  /**
   * Largest total frame sent; larger ones throw `ERR_MESH_WIRE_FRAME_TOO_LARGE`.
   * @default 4194304 (4 MiB, what a Java peer accepts)
   */
  readonly maxFrame?: number;
  /**
   * Bytes that may wait for the peer. Past it, `send` throws
   * `ERR_MESH_WIRE_BACKPRESSURE` instead of growing memory without bound.
   * @default 8388608 (8 MiB)
   */
  readonly maxQueuedBytes?: number;
}

export interface FrameEncoderStats {
  /** Frames handed to the writable. */
  readonly frames: number;
  /** Bytes handed to the writable. */
  readonly bytes: number;
  /** `write` calls; below `frames` when frames were coalesced. */
  readonly writes: number;
  /** Times `write` returned false and the encoder waited for `'drain'`. */
  readonly drainWaits: number;
  /** Frames refused by `send` because the queue was full. */
  readonly refused: number;
  readonly queuedBytes: number;
}

export const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * Writes frames to one connection. Frames sent in the same tick go out as one
 * `write` (flushed in a microtask); when `write` returns false nothing more is
 * written until `'drain'`, and the bytes waiting meanwhile are bounded. The bytes
 * the writable itself holds are bounded by its high-water mark plus one flush.
 */
export class FrameEncoder {
  private readonly maxFrame: number;
  private readonly maxQueuedBytes: number;
  private queue: Buffer[] = [];
  private queued = 0;
  private flushScheduled = false;
  private waitingDrain = false;
  private closed = false;
  private frameCount = 0;
  private byteCount = 0;
  private writeCount = 0;
  private drainCount = 0;
  private refusedCount = 0;
  private readonly flush = (): void => this.flushQueue();
  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.flushQueue();
  };

  constructor(private readonly out: WritableLike, options: FrameEncoderOptions = {}) {
    this.maxFrame = checkMaxFrame(options.maxFrame ?? DEFAULT_MAX_FRAME);
    const maxQueued = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    if (!Number.isInteger(maxQueued) || maxQueued < this.maxFrame) {
      throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'maxQueuedBytes must be an integer of at least maxFrame');
    }
    this.maxQueuedBytes = maxQueued;
  }

  /** Encoded bytes waiting to be handed to the writable. */
  get queuedBytes(): number {
    return this.queued;
  }

  get stats(): FrameEncoderStats {
    return {
      frames: this.frameCount, bytes: this.byteCount, writes: this.writeCount,
      drainWaits: this.drainCount, refused: this.refusedCount, queuedBytes: this.queued,
    };
  }

  /**
   * Queues one frame. Throws (nothing queued) `ERR_MESH_WIRE_BACKPRESSURE` when the
   * peer is too slow, `ERR_MESH_WIRE_FRAME_TOO_LARGE` or a header/command error for
   * a bad frame, and `ERR_MESH_CLOSED` after `close()`.
   */
  send(frame: WireFrame): void {
    if (this.closed) throw new MeshError('ERR_MESH_CLOSED', 'the connection is closed');
    const bytes = encodeFrame(frame, this.maxFrame);
    if (this.queued + bytes.length > this.maxQueuedBytes) {
      this.refusedCount++;
      throw new MeshError('ERR_MESH_WIRE_BACKPRESSURE', 'the peer is not reading fast enough', {
        details: { cmd: frame.header.cmd, queuedBytes: this.queued, limit: this.maxQueuedBytes },
      });
    }
    this.queue.push(bytes);
    this.queued += bytes.length;
    if (!this.flushScheduled && !this.waitingDrain) {
      this.flushScheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Hands everything queued to the writable now, e.g. a last answer before closing. */
  flushNow(): void {
    this.waitingDrain = false;
    this.flushQueue();
  }

  /** Drops what is queued (the connection is gone); later `send`s throw. Returns the bytes dropped. */
  close(): number {
    const dropped = this.queued;
    this.closed = true;
    this.queue = [];
    this.queued = 0;
    return dropped;
  }

  private flushQueue(): void {
    this.flushScheduled = false;
    if (this.closed || this.waitingDrain || this.queued === 0) return;
    const frames = this.queue.length;
    // One write per tick: a single frame as is, several copied once into one buffer.
    const chunk = frames === 1 ? (this.queue[0] as Buffer) : Buffer.concat(this.queue, this.queued);
    this.queue = [];
    this.queued = 0;
    this.frameCount += frames;
    this.byteCount += chunk.length;
    this.writeCount++;
    if (!this.out.write(chunk)) {
      this.waitingDrain = true;
      this.drainCount++;
      this.out.once('drain', this.onDrain);
    }
  }
}
