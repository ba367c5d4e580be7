import { until } from '../support/expect-code.js';

/**
 * A raw Server-Sent Events reader over fetch: keeps everything received as text
 * so tests can wait for comments (which EventSource hides) and close the
 * connection abruptly like a client that goes away.
 */
export class SseReader {
  text = '';
  ended = false;

  private constructor(readonly response: Response, private readonly abort: AbortController) {}

  static async open(url: string, headers?: Record<string, string>): Promise<SseReader> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const reader = new SseReader(response, abort);
    void reader.pump();
    return reader;
  }

  /** Waits until the received text satisfies `condition`. */
  async until(condition: (text: string) => boolean, timeout = 10_000): Promise<void> {
    await until(() => condition(this.text), timeout).catch(() => {
      throw new Error(`SSE text never matched; got: ${JSON.stringify(this.text)}`);
    });
  }

  /** The `data` of every complete SSE message so far, parsed as JSON. */
  messages(): { id: string | undefined; data: Record<string, unknown> }[] {
    return this.text.split('\n\n').flatMap((block) => {
      const lines = block.split('\n');
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
      if (data.length === 0) return [];
      const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
      return [{ id, data: JSON.parse(data.join('\n')) as Record<string, unknown> }];
    });
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) this.text += decoder.decode(chunk, { stream: true });
    } catch {
      // Aborted by close(): the end of the test's interest, not an error.
    }
    this.ended = true;
  }
}
