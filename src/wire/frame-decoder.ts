import { MeshError, asMeshError } from '../errors.js';
import { DEFAULT_MAX_FRAME, FIXED_PREFIX_SIZE, LENGTH_FIELDS_SIZE, PREFIX_LENGTH, WIRE_MAGIC, WIRE_VERSION } from './constants.js';
import { checkMaxFrame, type WireFrame } from './frame.js';
import { decodeHeader, type WireHeader } from './header.js';

/** Where decoded frames go. The decoder never touches a socket. */
export interface FrameSink {
  onFrame(frame: WireFrame): void;
  /** Called at most once; the decoder then ignores all input and the caller closes the connection. */
  onError(error: MeshError): void;
}

export interface FrameDecoderOptions {
  /**
   * Largest total frame (`length + 8`) accepted.
   * @default 4194304 (4 MiB, Java's `FRAME_MAX_LENGTH`)
   */
  readonly maxFrame?: number;
}

const MAGIC_AND_VERSION = Buffer.concat([WIRE_MAGIC, WIRE_VERSION]);
const PREFIX = 0;
const REST = 1;

/**
 * Incremental PROTOCOL §11.1 decoder with two states: the fixed 21-byte prefix, then the
 * header and body ("the rest"). A rest that lies wholly inside a chunk is decoded
 * from views of that chunk; one that straddles chunks is copied once into a buffer
 * of exactly its size. Bytes of a frame are buffered only after its prefix passed.
 */
export class FrameDecoder {
  private readonly maxFrame: number;
  private state: typeof PREFIX | typeof REST = PREFIX;
  /** Reused for a prefix split across chunks; frames never reference it. */
  private readonly prefix = Buffer.alloc(FIXED_PREFIX_SIZE);
  private prefixFill = 0;
  private headerLength = 0;
  private restLength = 0;
  private assembly: Buffer | undefined;
  private assemblyFill = 0;
  private stopped = false;
  private frameCount = 0;
  /** The last header without a seq, and a copy of its bytes (see `header`). */
  private lastHeader: WireHeader | undefined;
  private lastHeaderBytes: Buffer | undefined;

  constructor(private readonly sink: FrameSink, options: FrameDecoderOptions = {}) {
    this.maxFrame = checkMaxFrame(options.maxFrame ?? DEFAULT_MAX_FRAME);
  }

  /** Frames decoded so far. */
  get frames(): number {
    return this.frameCount;
  }

  /** True once an error was reported (or the sink threw); further input is ignored. */
  get failed(): boolean {
    return this.stopped;
  }

  // One loop for every chunk shape; it is the per-read hot path, hence its length.
  push(chunk: Buffer): void {
    if (this.stopped) return;
    const end = chunk.length;
    let offset = 0;
    while (offset < end) {
      if (this.state === PREFIX) {
        if (this.prefixFill === 0 && end - offset >= FIXED_PREFIX_SIZE) {
          if (!this.acceptPrefix(chunk, offset)) return;
          offset += FIXED_PREFIX_SIZE;
        } else {
          const n = Math.min(FIXED_PREFIX_SIZE - this.prefixFill, end - offset);
          chunk.copy(this.prefix, this.prefixFill, offset, offset + n);
          // Checked as bytes arrive, so garbage is refused without waiting for 21 bytes.
          if (!this.checkMagic(this.prefix, 0, this.prefixFill, this.prefixFill + n)) return;
          this.prefixFill += n;
          offset += n;
          if (this.prefixFill < FIXED_PREFIX_SIZE) return;
          this.prefixFill = 0;
          if (!this.acceptPrefix(this.prefix, 0)) return;
        }
        this.state = REST;
      }
      if (this.assembly === undefined) {
        if (end - offset >= this.restLength) {
          const start = offset;
          offset += this.restLength;
          this.state = PREFIX;
          if (!this.emit(chunk, start)) return;
          continue;
        }
        // Nothing of the rest yet: the next chunk may hold it whole and be viewed, not copied.
        if (offset === end) return;
        this.assembly = Buffer.allocUnsafe(this.restLength);
        this.assemblyFill = 0;
      }
      const n = Math.min(this.restLength - this.assemblyFill, end - offset);
      chunk.copy(this.assembly, this.assemblyFill, offset, offset + n);
      this.assemblyFill += n;
      offset += n;
      if (this.assemblyFill === this.restLength) {
        const assembled = this.assembly;
        this.assembly = undefined;
        this.state = PREFIX;
        if (!this.emit(assembled, 0)) return;
      }
    }
  }

  /** Bytes [from, to) of a prefix starting at `base`, against `EventMesh0000` (PROTOCOL §11.1). */
  private checkMagic(buf: Buffer, base: number, from: number, to: number): boolean {
    const last = Math.min(to, PREFIX_LENGTH);
    for (let i = from; i < last; i++) {
      if (buf[base + i] !== MAGIC_AND_VERSION[i]) {
        return this.fail(i < WIRE_MAGIC.length
          ? new MeshError('ERR_MESH_WIRE_BAD_MAGIC', 'frame does not start with EventMesh')
          : new MeshError('ERR_MESH_WIRE_BAD_VERSION', 'frame version is not 0000'));
      }
    }
    return true;
  }

  private acceptPrefix(buf: Buffer, at: number): boolean {
    if (!this.checkMagic(buf, at, 0, PREFIX_LENGTH)) return false;
    // PROTOCOL §11.1: both fields are Java ints, i.e. signed 32-bit big-endian.
    const length = buf.readInt32BE(at + PREFIX_LENGTH);
    const headerLength = buf.readInt32BE(at + PREFIX_LENGTH + 4);
    if (length < PREFIX_LENGTH) {
      return this.fail(new MeshError('ERR_MESH_WIRE_BAD_LENGTH', `frame length ${length} is below ${PREFIX_LENGTH}`));
    }
    // PROTOCOL §11.1: the limit applies to the total (length + 8), refused before any of it is buffered.
    if (length + LENGTH_FIELDS_SIZE > this.maxFrame) {
      return this.fail(new MeshError('ERR_MESH_WIRE_FRAME_TOO_LARGE', `frame of ${length + LENGTH_FIELDS_SIZE} bytes exceeds the limit of ${this.maxFrame}`, {
        details: { size: length + LENGTH_FIELDS_SIZE, limit: this.maxFrame },
      }));
    }
    // PROTOCOL §11.1: a header longer than the frame; this is also how legacy (≤1.8,
    // length = 8+H+B) framing shows up when the body is shorter than 5 bytes.
    if (headerLength < 0 || length < PREFIX_LENGTH + headerLength) {
      return this.fail(new MeshError('ERR_MESH_WIRE_BAD_LENGTH', `header length ${headerLength} does not fit frame length ${length}`));
    }
    // PROTOCOL §11.1: headerLength 0 is a package with no header; the dispatcher refuses it.
    if (headerLength === 0) return this.fail(new MeshError('ERR_MESH_WIRE_BAD_HEADER', 'frame has no header'));
    this.headerLength = headerLength;
    this.restLength = length - PREFIX_LENGTH;
    return true;
  }

  /** Decodes header and body from `buf` at `start`, where the rest of the frame lies. */
  private emit(buf: Buffer, start: number): boolean {
    const headerEnd = start + this.headerLength;
    const restEnd = start + this.restLength;
    let frame: WireFrame;
    try {
      const header = this.header(buf, start, headerEnd);
      frame = { header, body: restEnd > headerEnd ? buf.subarray(headerEnd, restEnd) : undefined };
    } catch (err) {
      return this.fail(asMeshError(err, 'ERR_MESH_WIRE_BAD_HEADER'));
    }
    this.frameCount++;
    try {
      this.sink.onFrame(frame);
    } catch (err) {
      // The rest of this chunk is not decoded: stop rather than resume out of step.
      this.stopped = true;
      throw err;
    }
    return true;
  }

  /**
   * Decoding is a pure function of the bytes and headers are immutable, so a header
   * byte-identical to the last one is that one's object: one compare instead of a
   * JSON parse. Only headers without a seq are kept, because a seq differs per frame
   * (PROTOCOL §5.2: events between peers carry none, and repeat their header).
   */
  private header(buf: Buffer, start: number, end: number): WireHeader {
    const last = this.lastHeaderBytes;
    if (last !== undefined && last.length === end - start && buf.compare(last, 0, last.length, start, end) === 0) {
      return this.lastHeader as WireHeader;
    }
    const bytes = buf.subarray(start, end);
    const header = decodeHeader(bytes);
    if (header.seq === undefined) {
      this.lastHeader = header;
      this.lastHeaderBytes = Buffer.from(bytes);
    }
    return header;
  }

  private fail(error: MeshError): false {
    this.stopped = true;
    this.assembly = undefined;
    this.sink.onError(error);
    return false;
  }
}
