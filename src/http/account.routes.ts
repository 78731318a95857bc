// Sign-in, sign-out and "who am I" (contract section 4).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalFromName } from '../directory/accounts.service.js';
import type { Directory } from '../directory/directory.js';
import { DirectoryError } from '../directory/errors.js';
import { caller } from './auth.js';
import { person, personJson, problem } from './schemas.js';

export function accountRoutes(app: FastifyInstance, directory: Directory) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/v1/auth/token',
    {
      // Guessing passwords is slowed twice over: the core's lockout, and this per-address rate limit.
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        operationId: 'signIn',
        summary: 'Sign in: a bearer token for a username (uid, address or service name) and password',
        description: 'No token needed. Shares the lockout with LDAP binds; 20 attempts a minute per client address.',
        body: z.object({ username: z.string().min(1).max(320), password: z.string().min(1).max(1024) }).strict(),
        response: {
          200: z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int() }),
          401: problem,
          429: problem,
          503: problem,
        },
      },
    },
    async (req) => {
      const actor = await directory.authenticate(principalFromName(req.body.username), req.body.password, req.ip);
      if (!actor)
        throw new DirectoryError(
          'auth.invalid_credentials',
          'The username or password is not right, or the account is locked',
        );
      const { token, expiresIn } = await directory.issueToken(actor);
      return { access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn };
    },
  );

  r.post(
    '/api/v1/auth/logout',
    {
      config: { auth: true },
      schema: {
        tags: ['auth'],
        operationId: 'signOut',
        summary: 'Revoke the token in use',
        response: { 204: z.null().describe('Signed out: the token no longer works') },
      },
    },
    async (req, reply) => {
      await directory.revokeToken(req.token!);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/v1/me',
    {
      config: { auth: true },
      schema: {
        tags: ['auth'],
        operationId: 'getMe',
        summary: 'The caller: a person with roles, or a service account',
        response: {
          200: z.union([
            person.extend({ roles: z.array(z.string()) }),
            z.object({ name: z.string(), roles: z.array(z.string()), org_code: z.string().nullable() }),
          ]),
        },
      },
    },
    async (req) => {
      const actor = caller(req);
      const roles = [...actor.roles].sort();
      if (actor.kind !== 'person') return { name: actor.name, roles, org_code: [...actor.feedsFor][0] ?? null };
      return { ...personJson(await directory.getPerson(actor, actor.name)), roles };
    },
  );
}
