import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

/** OpenAPI 3 from the route schemas; shared schemas become components named by their `$id`. */
export default fp<{ publicBaseUrl: string; version: string }>(
  async (app, opts) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'HerbTrace API',
          description:
            'HerbTrace 药材溯源: full-chain quality traceability for 道地药材 (genuine regional herbs) from seed source to finished product.',
          version: opts.version,
        },
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description: 'The admin token, or an organisation API key (key_….secret) created by the admin.',
            },
            sessionCookie: {
              type: 'apiKey',
              in: 'cookie',
              name: '__Host-ht_session',
              description:
                'A signed-in person (POST /v1/auth/login). Writes (POST, PATCH, PUT, DELETE) with the cookie also need the x-csrf-token header from the sign-in answer.',
            },
          },
        },
        tags: [
          { name: 'health', description: 'Liveness and readiness' },
          { name: 'organizations', description: 'Organisations and their API keys (admin)' },
          { name: 'people', description: 'Members of organisations (owners), sign-in, sessions and two-factor' },
          { name: 'sites', description: 'Bases, plots, farms, plants and warehouses of an organisation' },
          { name: 'species', description: 'The species catalogue (public)' },
          { name: 'lots', description: 'The lot chain: root lots, transformations, observations, status, history' },
          { name: 'provenance', description: 'Provenance, descendants (recall) and lineage timelines' },
          { name: 'codes', description: 'QR codes (GS1 Digital Link), images, consumer resolve and scan statistics' },
          { name: 'shipments', description: 'Custody transfers in two steps: ship, then receive or refuse' },
        ],
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  },
  { name: 'swagger' },
);
