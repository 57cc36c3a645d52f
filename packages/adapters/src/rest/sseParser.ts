/** One message of a Server-Sent Events stream. */
export interface ServerSentEvent {
  /** The `event:` field; `message` when the message had none. */
  event: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
  /** The `id:` field of this message, if it had one. */
  id: string | undefined;
}

/**
 * The messages of a `text/event-stream` body, as the HTML standard's parsing rules read them:
 * lines end with CR, LF or CRLF (also split across chunks), `:` starts a comment (heartbeats),
 * a blank line ends a message, messages without data are skipped. Node 20 has no `EventSource`,
 * and `EventSource` can't send headers anyway.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  let skipLeadingLf = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer.charCodeAt(i);
        if (ch === 10 && skipLeadingLf && i === start) {
          // The LF of a CRLF whose CR ended the previous chunk.
          start = i + 1;
          skipLeadingLf = false;
          continue;
        }
        skipLeadingLf = false;
        if (ch !== 10 && ch !== 13) continue;
        const line = buffer.slice(start, i);
        if (ch === 13) {
          if (i + 1 < buffer.length) {
            if (buffer.charCodeAt(i + 1) === 10) i++;
          } else skipLeadingLf = true;
        }
        start = i + 1;
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), id };
          event = '';
          data = [];
          id = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let fieldValue = colon < 0 ? '' : line.slice(colon + 1);
        if (fieldValue.startsWith(' ')) fieldValue = fieldValue.slice(1);
        if (field === 'event') event = fieldValue;
        else if (field === 'data') data.push(fieldValue);
        else if (field === 'id' && !fieldValue.includes('\u0000')) id = fieldValue;
      }
      buffer = buffer.slice(start);
      if (done) return;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
