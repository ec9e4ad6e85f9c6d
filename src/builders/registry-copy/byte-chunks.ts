/**
 * Cuts one byte stream into consecutive streams of given lengths without holding more than the
 * piece being read: a chunked upload sends a blob from its source as it arrives.
 */
export class ByteChunks {
  private leftover: Uint8Array | undefined;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }

  /** The next `length` bytes as a stream; it errors when the source ends before them. */
  next(length: number, what: string): ReadableStream<Uint8Array> {
    let remaining = length;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (remaining === 0) {
          controller.close();
          return;
        }
        const piece = await this.read(remaining);
        if (piece === undefined) {
          controller.error(new Error(`${what} ended ${remaining} bytes early`));
          return;
        }
        remaining -= piece.length;
        controller.enqueue(piece);
      },
      cancel: async (reason) => this.reader.cancel(reason),
    });
  }

  /** Stops reading the source (after an error). */
  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private async read(max: number): Promise<Uint8Array | undefined> {
    let piece = this.leftover;
    this.leftover = undefined;
    if (piece === undefined) {
      const { done, value } = await this.reader.read();
      if (done) return undefined;
      piece = value;
    }
    if (piece.length <= max) return piece;
    this.leftover = piece.subarray(max);
    return piece.subarray(0, max);
  }
}
