// The endpoint a CNCF distribution registry sends its notifications to (registry config `notifications.endpoints`,
// docs/registry-notifications.md). It parses strictly, queues the pushes and answers 202 at once: the registry
// waits for the answer before sending its next batch, and re-sends a batch until it gets a 2xx.
import type { FastifyInstance } from 'fastify';
import type { JsonValue } from '../../core/json.js';
import {
  MAX_NOTIFICATION_BYTES,
  parseRegistryNotification,
  REGISTRY_EVENTS_MEDIA_TYPE,
  type RegistryIngest,
} from '../../ingest/index.js';
import { JSON_MEDIA_TYPE, strictJsonParser } from '../json-body.js';

export const REGISTRY_NOTIFICATIONS_PATH = '/api/v1/registry/notifications';

export interface RegistryNotificationRouteOptions {
  readonly ingest: RegistryIngest;
}

const acceptedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['accepted', 'ignored'],
  properties: {
    accepted: { type: 'integer', minimum: 0, description: 'Manifest pushes taken in (queued, or already queued).' },
    ignored: { type: 'integer', minimum: 0, description: 'Events of no use to the log: pulls, blob pushes, deletes, unknown actions.' },
  },
} as const;

/** The route as a plugin for buildServer's `extraRoutes`. */
export function registryNotificationRoutes(options: RegistryNotificationRouteOptions): (app: FastifyInstance) => Promise<void> {
  return (app) => registryNotificationsPlugin(app, options);
}

export async function registryNotificationsPlugin(app: FastifyInstance, options: RegistryNotificationRouteOptions): Promise<void> {
  // Parsers added here stay inside this plugin. application/json is replaced too, so a full batch of events is
  // accepted whatever body limit the rest of the API has.
  if (app.hasContentTypeParser(JSON_MEDIA_TYPE)) app.removeContentTypeParser(JSON_MEDIA_TYPE);
  for (const type of [REGISTRY_EVENTS_MEDIA_TYPE, JSON_MEDIA_TYPE]) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_NOTIFICATION_BYTES }, strictJsonParser(MAX_NOTIFICATION_BYTES));
  }

  app.post<{ Body: JsonValue }>(REGISTRY_NOTIFICATIONS_PATH, {
    config: { access: 'write' },
    bodyLimit: MAX_NOTIFICATION_BYTES,
    schema: {
      tags: ['registry'],
      summary: 'Receives the push notifications of a distribution registry and records the images they concern.',
      description:
        `Body: the registry's event envelope (${REGISTRY_EVENTS_MEDIA_TYPE} or application/json), at most 1,000 events. ` +
        'Manifest pushes are queued and examined in the background; 503 INGEST_BUSY when the queue is full.',
      response: { 202: acceptedSchema },
    },
    handler: async (request, reply) => {
      const notification = parseRegistryNotification(request.body);
      const result = options.ingest.receive(notification);
      return reply.code(202).send(result);
    },
  });
}
