/** HubSpot-style error bodies, thrown inside the mock and turned into responses by the router. */

/** A JSON body with string keys. */
export type Json = Record<string, unknown>;

/** An error the router answers with `status` and `body` (a `correlationId` is added). */
export class MockHttpError extends Error {
  override readonly name = 'MockHttpError';
  constructor(readonly status: number, readonly body: Json, readonly headers: Record<string, string> = {}) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${status}`);
  }
}

/** One invalid property, as HubSpot lists it inside a VALIDATION_ERROR message. */
export interface PropertyIssue {
  name: string;
  error: string;
  message: string;
}

/** A HubSpot error with `status:'error'`, a category and optional context. */
export function apiError(status: number, category: string, message: string, extra: Json = {}): MockHttpError {
  return new MockHttpError(status, { status: 'error', message, category, ...extra });
}

/** 400 VALIDATION_ERROR. */
export function validationError(message: string, extra: Json = {}): MockHttpError {
  return apiError(400, 'VALIDATION_ERROR', message, extra);
}

/** 400 VALIDATION_ERROR "Property values were not valid: [...]" (reference section 4.4 shape). */
export function propertyError(issues: PropertyIssue[]): MockHttpError {
  const listed = issues.map((i) => ({
    isValid: false,
    message: i.message,
    error: i.error,
    name: i.name,
    localizedErrorMessage: i.message,
  }));
  return validationError(`Property values were not valid: ${JSON.stringify(listed)}`, {
    errors: issues.map((i) => ({ message: i.message, code: i.error, context: { propertyName: [i.name] } })),
  });
}

/** 404 OBJECT_NOT_FOUND. */
export function notFound(message = 'Object not found.  objectId are usually numeric.', extra: Json = {}): MockHttpError {
  return apiError(404, 'OBJECT_NOT_FOUND', message, extra);
}

/** 409 CONFLICT. */
export function conflict(message: string): MockHttpError {
  return apiError(409, 'CONFLICT', message);
}
