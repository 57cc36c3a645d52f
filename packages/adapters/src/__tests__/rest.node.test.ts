import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { memoryStore } from '@crm/core';
import { createOp, makeCustomer } from '@crm/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRestHandler, toNodeListener } from '../rest/index.js';
import { bearerTenant, startRestServer } from './restServer.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Sends a raw HTTP/1.1 request with a chunked body (no Content-Length); resolves with the status and body. */
function chunkedPost(url: string, headers: Record<string, string>, chunks: string[]) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('toNodeListener', () => {
  it('streams request bodies: a chunked write goes through, an oversize one is a 413', async () => {
    const store = memoryStore();
    const server = await startRestServer(store, { maxBodyBytes: 32 * 1024 });
    cleanups.push(() => server.close());
    const headers = { ...server.headersOf('t'), 'content-type': 'application/json' };
    const body = JSON.stringify({ ops: [createOp('customers', makeCustomer())] });
    const ok = await chunkedPost(`${server.url}/writes`, headers, [body.slice(0, 10), body.slice(10)]);
    expect(ok).toEqual({ status: 200, body: '{"lastSeq":1,"writeId":1}' });
    const big = await chunkedPost(`${server.url}/writes`, headers, [body.slice(0, -2), ...Array.from({ length: 20 }, () => ' '.repeat(4096)), '}]}']);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ status: 413, type: 'urn:crm:problem:body-too-large' });
    expect((await store.changes({ since: 0 })).lastSeq).toBe(1);
  });

  it('writes status, headers (several Set-Cookie too) and body back; keeps the request target on its origin', async () => {
    let seen = '';
    const listener = toNodeListener(async (request) => {
      seen = request.url;
      const headers = new Headers({ 'content-type': 'text/plain', 'x-method': request.method });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response(`hello ${await request.text()}`, { status: 201, headers });
    });
    const server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/x?y=1`, { method: 'PUT', body: 'world' });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('hello world');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('x-method')).toBe('PUT');
    expect(seen).toBe(`http://127.0.0.1:${port}/x?y=1`);

    const raw = await new Promise<string>((resolve) => {
      httpRequest({ host: '127.0.0.1', port, path: '//evil.example/steal' }, (res) => {
        res.resume();
        res.on('end', () => resolve(seen));
      }).end();
    });
    expect(new URL(raw).host).toBe(`127.0.0.1:${port}`);
  });

});

/** Sends `head` (a request line and headers, `\r\n`-separated, without the blank line) as is; resolves with the status and body. */
function rawRequest(port: number, head: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`${head}\r\nconnection: close\r\n\r\n`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [, status = '0'] = /^HTTP\/1\.1 (\d{3})/.exec(text) ?? [];
      const split = text.indexOf('\r\n\r\n');
      let body = text.slice(split + 4);
      if (/\r\ntransfer-encoding: chunked\r\n/i.test(text.slice(0, split + 2))) {
        let plain = '';
        for (let at = 0, size; (size = parseInt(body.slice(at), 16)) > 0; at = body.indexOf('\r\n', at) + 2 + size + 2) {
          plain += body.slice(body.indexOf('\r\n', at) + 2, body.indexOf('\r\n', at) + 2 + size);
        }
        body = plain;
      }
      resolve({ status: Number(status), body });
    });
  });
}

/** The REST handler over node:http, with a spy for onError and the statuses it answered. */
async function restOverNode() {
  const store = memoryStore();
  const onError = vi.fn();
  const answered: number[] = [];
  const handler = createRestHandler({ store, authorize: bearerTenant, basePath: '/api', onError });
  const server = createServer(
    toNodeListener(async (request) => {
      const response = await handler(request);
      answered.push(response.status);
      return response;
    }, { onError }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return { store, onError, answered, port: (server.address() as AddressInfo).port };
}

describe('toNodeListener: what the request line and Host may say', () => {
  it('a Host header with a path, query or fragment never reroutes the request: 400, the handler never called', async () => {
    const { store, port, answered, onError } = await restOverNode();
    const customer = makeCustomer();
    await store.write([createOp('customers', customer)]);
    const auth = 'authorization: Bearer tenant:t';
    for (const host of [`127.0.0.1/api/customers/${customer.id}#`, `127.0.0.1/api/writes?`, '127.0.0.1#', 'a b', 'x:1:2', '']) {
      const result = await rawRequest(port, `GET /api/openapi.json HTTP/1.1\r\nhost: ${host}\r\n${auth}`);
      expect(result.status, host).toBe(400);
      expect(result.body, host).not.toContain(customer.id);
      expect(JSON.parse(result.body)).toMatchObject({ status: 400, type: 'urn:crm:problem:bad-request' });
    }
    expect(answered).toEqual([]);
    // Well-formed ones (a name, an address, IPv6, with or without a port) are served.
    for (const host of ['crm.example.com', `127.0.0.1:${port}`, '[::1]:8080', 'localhost']) {
      expect((await rawRequest(port, `GET /api/openapi.json HTTP/1.1\r\nhost: ${host}`)).status, host).toBe(200);
    }
    expect(onError).not.toHaveBeenCalled();
  });

  it('a request target that does not start with "/" is a 400: a path outside basePath never reaches the API', async () => {
    const { store, port, answered } = await restOverNode();
    const customer = makeCustomer();
    await store.write([createOp('customers', customer)]);
    for (const target of [`http://127.0.0.1/api/customers/${customer.id}`, '*', `api/customers/${customer.id}`]) {
      const result = await rawRequest(port, `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer tenant:t`);
      expect(result.status, target).toBe(400);
      expect(result.body).not.toContain(customer.name);
    }
    expect(answered).toEqual([]);
  });

  it('TRACE (which fetch cannot carry) is a 405, not a 500, and is not reported to onError', async () => {
    const { port, onError } = await restOverNode();
    for (const method of ['TRACE']) {
      const result = await rawRequest(port, `${method} /api/customers HTTP/1.1\r\nhost: 127.0.0.1`);
      expect(result.status, method).toBe(405);
      expect(JSON.parse(result.body)).toMatchObject({ status: 405, type: 'urn:crm:problem:method-not-allowed' });
    }
    expect(onError).not.toHaveBeenCalled();
  });

  it('a client that hangs up mid-upload is not an unexpected server error: onError hears nothing', async () => {
    const { store, port, answered, onError } = await restOverNode();
    const body = JSON.stringify({ ops: [createOp('customers', makeCustomer())] });
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/writes HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer tenant:t\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 20)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    const deadline = Date.now() + 3000;
    while (answered.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(answered).toEqual([400]);
    expect(onError).not.toHaveBeenCalled();
    expect((await store.changes({ since: 0 })).lastSeq).toBe(0);
  });

  it('a handler that throws is answered with a bare 500 and reported to onError', async () => {
    const onError = vi.fn();
    const server = createServer(toNodeListener(() => Promise.reject(new Error('secret')), { onError }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret');
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'secret' }));
  });

  it('checks its origin option', () => {
    expect(() => toNodeListener(() => new Response(), { origin: 'https://crm.example.com/api' })).toThrow(/`origin` must be an origin/);
    expect(() => toNodeListener(() => new Response(), { origin: 'https://crm.example.com' })).not.toThrow();
  });
});
