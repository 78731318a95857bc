// The HTTP application, apart from listening, so that tests drive it with inject().
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Directory } from './directory/directory.js';
import { healthRoutes } from './http/health.routes.js';

export function buildApp(directory: Directory, options: FastifyServerOptions = {}) {
  const app = Fastify({ ...options, bodyLimit: 1024 * 1024 });
  healthRoutes(app, directory.database);
  return app;
}
