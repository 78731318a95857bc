// Sign-in, sign-out and "who am I": the schemas of src/http/account.routes.ts.
import { z } from 'zod';
import { person } from './person.js';
import { problems } from './problems.js';

export const signIn = {
  tags: ['auth'],
  operationId: 'signIn',
  summary: 'Sign in: a bearer token for a username (uid, address or service name) and password',
  description: 'No token needed. Shares the lockout with LDAP binds; 20 attempts a minute per client address.',
  body: z.object({ username: z.string().min(1).max(320), password: z.string().min(1).max(1024) }).strict(),
  response: {
    200: z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int() }),
    ...problems(401, 429, 503),
  },
};

export const signOut = {
  tags: ['auth'],
  operationId: 'signOut',
  summary: 'Revoke the token in use',
  response: { 204: z.null().describe('Signed out: the token no longer works') },
};

export const getMe = {
  tags: ['auth'],
  operationId: 'getMe',
  summary: 'The caller: a person with roles, or a service account',
  response: {
    200: z.union([
      person.extend({ roles: z.array(z.string()) }),
      z.object({ name: z.string(), roles: z.array(z.string()), org_code: z.string().nullable() }),
    ]),
  },
};
