// Sign-in, sign-out and "who am I" (contract section 4).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { principalFromName } from '../directory/accounts.service.js';
import type { Directory } from '../directory/directory.js';
import { DirectoryError } from '../directory/errors.js';
import { caller } from './auth.js';
import { getMe, signIn, signOut } from './schemas/account.js';
import { personJson } from './schemas/person.js';

export function accountRoutes(app: FastifyInstance, directory: Directory) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/v1/auth/token',
    {
      // Guessing passwords is slowed twice over: the core's lockout, and this per-address rate limit.
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: signIn,
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

  r.post('/api/v1/auth/logout', { config: { auth: true }, schema: signOut }, async (req, reply) => {
    await directory.revokeToken(req.token!);
    return reply.code(204).send(null);
  });

  r.get('/api/v1/me', { config: { auth: true }, schema: getMe }, async (req) => {
    const actor = caller(req);
    const roles = [...actor.roles].sort();
    if (actor.kind !== 'person') return { name: actor.name, roles, org_code: [...actor.feedsFor][0] ?? null };
    return { ...personJson(await directory.getPerson(actor, actor.name)), roles };
  });
}
