import type { FastifyRequest } from 'fastify';

/**
 * For POST routes whose body fields are all optional: a request with no body at all is taken as `{}`, so
 * `curl -X POST` works without `-d '{}'`. A body that is present is still validated as sent.
 */
export async function emptyBodyAsEmptyObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
