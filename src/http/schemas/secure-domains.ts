// Secure domains: the schemas of the first two routes of src/http/directory.routes.ts.
import { z } from 'zod';
import { problems } from './problems.js';

export const listSecureDomains = {
  tags: ['secure domains'],
  operationId: 'listSecureDomains',
  summary: 'Domains secure for patient data',
  response: { 200: z.object({ items: z.array(z.string()) }), ...problems(401) },
};

export const checkSecureDomain = {
  tags: ['secure domains'],
  operationId: 'checkSecureDomain',
  summary: 'Is this address on a secure domain?',
  querystring: z.object({ address: z.string().min(1).max(320) }),
  response: {
    200: z.object({ address: z.string(), domain: z.string().nullable(), secure: z.boolean() }),
    ...problems(400, 401),
  },
};
