import { PROBLEM_TYPES, ProblemError, problem } from './problem.js';

/** Whether a `Content-Type` names JSON (`application/json`, `application/merge-patch+json`, …) in UTF-8. */
function isJsonType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const [essence = '', ...params] = contentType.toLowerCase().split(';').map((part) => part.trim());
  const json = essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  return json && (charset === undefined || charset === 'utf-8' || charset === 'utf8');
}

const tooLarge = (maxBytes: number) =>
  new ProblemError(problem(PROBLEM_TYPES.tooLarge, 413, { detail: `The request body must be at most ${maxBytes} bytes` }));

/**
 * Reads a request's JSON body, at most `maxBytes` of it: the limit is enforced on the bytes as
 * they arrive (a `Content-Length` only lets a body that announces itself too large be turned away
 * sooner). Throws a {@link ProblemError}: 415 for a body that is not JSON in UTF-8, 413 past the
 * limit, 400 for an empty or malformed body (without quoting it).
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  if (!isJsonType(request.headers.get('content-type'))) {
    throw new ProblemError(
      problem(PROBLEM_TYPES.unsupportedMediaType, 415, { detail: 'Send the body as application/json in UTF-8' }),
      { 'accept-post': 'application/json' },
    );
  }
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body?.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch {
        // The client hung up mid-upload (or the body failed on its way): the client's doing, not
        // the server's, so a 400 rather than an unexpected error for `onError` to log.
        throw badBody('The request body ended before it was complete', 'incomplete_body');
      }
      const { done, value } = next;
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badBody('The request body is not valid UTF-8');
  }
  if (text.trim() === '') throw badBody('The request body is empty: send a JSON document');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's own message quotes the input: never send it back.
    throw badBody('The request body is not valid JSON');
  }
}

function badBody(detail: string, code = 'invalid_json'): ProblemError {
  return new ProblemError(
    problem(PROBLEM_TYPES.validation, 400, {
      detail,
      code: 'VALIDATION',
      issues: [{ path: [], field: '', code, message: detail }],
    }),
  );
}
