import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryStore } from '@crm/core';
import { createOp, makeCustomer } from '@crm/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../rest/index.js';
import { startRestServer } from './restServer.js';

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

  it('answers a throwing handler with a bare 500', async () => {
    const server = createServer(toNodeListener(() => Promise.reject(new Error('secret'))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret');
  });
});
