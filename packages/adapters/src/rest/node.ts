import { responseText, textResponse } from './json.js';

/**
 * The parts of Node's `http.IncomingMessage` the bridge uses, typed structurally so this file
 * needs no `node:` import (and `@types/node` stays optional for users of the package).
 */
export interface NodeIncomingMessage extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** A TLS socket has `encrypted: true`. */
  socket?: object | null;
}

/** The parts of Node's `http.ServerResponse` the bridge uses. */
export interface NodeServerResponse {
  writeHead(status: number, headers: Record<string, string | string[]>): unknown;
  write(chunk: Uint8Array): boolean;
  end(chunk?: string): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off?(event: 'drain' | 'close', listener: () => void): unknown;
  readonly writableFinished?: boolean;
  readonly destroyed?: boolean;
}

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * The origin requests are addressed to, when the `Host` header and the socket can't be trusted
   * to say it (behind a proxy).
   * @default `http://` or `https://` (from the socket) + the `Host` header
   * @example 'https://crm.example.com'
   */
  origin?: string;
  /**
   * Told about an error the handler threw instead of answering (answered `500` without details),
   * for logging. Requests the bridge refuses itself (a malformed `Host` or request target, a
   * method `fetch` can't carry) are the client's doing and are not reported.
   * @default logs with `console.error`
   */
  onError?: (error: unknown) => void;
}

/**
 * Mounts a Web-standard handler (such as {@link createRestHandler}'s) in Node's `http` server,
 * which Node 20 can't do by itself: turns each `IncomingMessage` into a `Request` (its body
 * streamed, its `signal` aborted when the client goes away) and writes the `Response` back,
 * streaming its body with backpressure, so Server-Sent Events flow and stop as they should.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * createServer(toNodeListener(handler)).listen(3000)
 * ```
 */
export function toNodeListener(
  handler: (request: Request) => Response | Promise<Response>,
  options: NodeListenerOptions = {},
): (req: NodeIncomingMessage, res: NodeServerResponse) => void {
  const config = normalize(options);
  return (req, res) => {
    void bridge(handler, req, res, config);
  };
}

interface Normalized {
  origin: string | undefined;
  onError: (error: unknown) => void;
}

function normalize(options: NodeListenerOptions): Normalized {
  const { origin, onError } = options ?? {};
  if (origin !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      // Reported below.
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      throw new TypeError('toNodeListener: `origin` must be an origin such as "https://crm.example.com" (a scheme, a host and an optional port; no path)');
    }
  }
  if (onError !== undefined && typeof onError !== 'function') throw new TypeError('toNodeListener: `onError` must be a function (error) => void');
  return {
    origin: origin?.replace(/\/$/, ''),
    onError: onError ?? ((error) => (globalThis as { console?: Console }).console?.error('@crm/adapters/rest: the handler threw', error)),
  };
}

/**
 * A `Host` header as RFC 9110 allows it: a host name, an IPv4 address or a bracketed IPv6
 * address, and an optional port. Nothing else, so the header can never add a path, a query or a
 * fragment to the URL the handler routes on.
 */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9])?\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** A request the bridge refuses itself, before the handler sees it: the client's doing. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** Methods `fetch`'s `Request` refuses to carry (and no API of this package answers). */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

async function bridge(
  handler: (request: Request) => Response | Promise<Response>,
  req: NodeIncomingMessage,
  res: NodeServerResponse,
  options: Normalized,
): Promise<void> {
  const aborter = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) aborter.abort();
  };
  res.once('close', onClose);
  let response: Response;
  try {
    response = await handler(toRequest(req, aborter.signal, options));
  } catch (error) {
    if (error instanceof BadRequest) {
      const status = error.status;
      const title = status === 405 ? 'Method not allowed' : 'Bad request';
      const type = status === 405 ? 'urn:crm:problem:method-not-allowed' : 'urn:crm:problem:bad-request';
      response = textResponse(JSON.stringify({ type, title, status, detail: error.detail }), {
        status,
        headers: { 'content-type': 'application/problem+json', ...error.headers },
      });
    } else {
      // Handlers answer errors themselves; this is a last resort that discloses nothing.
      options.onError(error);
      response = textResponse('{"type":"urn:crm:problem:internal","title":"Internal server error","status":500}', {
        status: 500,
        headers: { 'content-type': 'application/problem+json' },
      });
    }
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  res.writeHead(response.status, headers);
  const text = response.bodyUsed ? undefined : responseText.get(response);
  if (text !== undefined) {
    // A JSON answer of our handler: its text goes straight out (with a Content-Length).
    res.end(req.method === 'HEAD' ? undefined : text);
    return;
  }
  if (response.body && req.method !== 'HEAD') {
    const reader = response.body.getReader();
    const cancel = () => void reader.cancel().catch(() => {});
    aborter.signal.addEventListener('abort', cancel);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || res.destroyed) break;
        if (!res.write(value)) await drained(res);
      }
    } catch {
      // The body failed midway or the client left: nothing more can be sent.
    } finally {
      aborter.signal.removeEventListener('abort', cancel);
    }
  } else {
    await response.body?.cancel().catch(() => {});
  }
  if (!res.destroyed) res.end();
}

/** Resolves when `res` can take more data, or is closed. */
function drained(res: NodeServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off?.('drain', done);
      res.off?.('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

function toRequest(req: NodeIncomingMessage, signal: AbortSignal, options: Normalized): Request {
  const method = req.method ?? 'GET';
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) {
    throw new BadRequest(405, `This server does not answer ${method.toUpperCase()} requests`, { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' });
  }
  // Only the origin-form (`/path?query`): an absolute-form or `*` target is for proxies.
  const target = req.url ?? '/';
  if (!target.startsWith('/')) throw new BadRequest(400, 'The request target must be a path that starts with "/"');
  let origin = options.origin;
  if (origin === undefined) {
    const host = firstHeader(req.headers.host) ?? 'localhost';
    if (!HOST.test(host)) throw new BadRequest(400, 'The Host header must be a host name or address with an optional port');
    const encrypted = (req.socket as { encrypted?: boolean } | null | undefined)?.encrypted === true;
    origin = `${encrypted ? 'https' : 'http'}://${host}`;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (hasBody) {
    const iterator = req[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    init.body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
      },
      async cancel() {
        await iterator.return?.();
      },
    });
    init.duplex = 'half'; // Required by fetch implementations for a streamed request body.
  }
  // Appended, not resolved: a request target such as `//elsewhere/x` must not change the origin.
  let url: URL;
  try {
    url = new URL(`${origin}${target}`);
  } catch {
    throw new BadRequest(400, 'The request target is not a valid path');
  }
  return new Request(url, init);
}

const firstHeader = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
