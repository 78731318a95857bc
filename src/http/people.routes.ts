// People (contract section 4). Route code translates; the core decides who may do what.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Directory } from '../directory/directory.js';
import { caller } from './auth.js';
import { moveRequest, moveRequestJson, moveRoutes } from './moves.routes.js';
import { cursor, listQuery, odsCode, page, person, personJson, personText, problem } from './schemas.js';

const text = (max = 200) => z.string().max(max);
const optionalText = (max = 200) => text(max).nullable().optional();
const fields = {
  title: optionalText(),
  department: optionalText(),
  site: optionalText(),
  telephone: optionalText(40),
  mobile: optionalText(40),
};
const uidParam = z.object({ uid: z.string().min(1).max(200) });
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

export function peopleRoutes(app: FastifyInstance, directory: Directory) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  moveRoutes(app, directory);
  const view = async (req: { actor: unknown }, uid: string) =>
    personJson(await directory.getPerson(caller(req as never), uid));

  r.get(
    '/api/v1/people',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'searchPeople',
        summary: 'Search people: q matches prefixes of names and mail, and old addresses',
        description:
          'Without q, people in the order they were created. With q, those whose name (cn) starts with q, then ' +
          'those whose family name does, then current addresses, then old addresses; each person once, each group ' +
          'ordered by the value that matched.',
        querystring: z.object({
          q: z.string().max(100).optional(),
          org: odsCode.optional(),
          status: z.enum(['active', 'leaver', 'all']).default('active'),
          ...listQuery,
        }),
        response: { 200: page(person), ...errors },
      },
    },
    async (req, reply) => {
      const after = cursor.decode<string>(req.query.cursor, 'string');
      const result = await directory.listPeople(caller(req), {
        q: req.query.q,
        org: req.query.org,
        status: req.query.status,
        after,
        limit: req.query.limit,
      });
      const next = result.next === null ? null : cursor.encode(result.next);
      // The page from each person's JSON text, made (and checked against the schema) once per cached
      // row; fastify sends a JSON string as it is (hence the cast past the typed reply).
      const text = `{"items":[${result.items.map(personText).join(',')}],"next_cursor":${JSON.stringify(next)}}`;
      return reply.type('application/json; charset=utf-8').send(text as never);
    },
  );

  r.get(
    '/api/v1/people/:uid',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'getPerson',
        summary: 'One person',
        params: uidParam,
        response: { 200: person, ...errors },
      },
    },
    async (req) => view(req, req.params.uid),
  );

  r.post(
    '/api/v1/people',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'createJoiner',
        summary: 'A joiner: a new person with a newly allocated address',
        body: z
          .object({
            given_name: text(100).min(1),
            family_name: text(100).min(1),
            org_code: odsCode,
            quota_mb: z.number().int().optional(),
            ...fields,
          })
          .strict(),
        response: { 201: person, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const p = await directory.createJoiner(caller(req), {
        givenName: b.given_name,
        familyName: b.family_name,
        orgCode: b.org_code,
        quotaMb: b.quota_mb,
        title: b.title,
        department: b.department,
        site: b.site,
        telephone: b.telephone,
        mobile: b.mobile,
      });
      return reply.code(201).send(await view(req, p.uid));
    },
  );

  r.patch(
    '/api/v1/people/:uid',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'updatePerson',
        summary: 'Edit a person (administrators); a person edits their own telephone and mobile',
        params: uidParam,
        body: z
          .object({ given_name: text(100).min(1).optional(), family_name: text(100).min(1).optional(), ...fields })
          .strict(),
        response: { 200: person, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      const patch = Object.fromEntries(
        Object.entries({
          givenName: b.given_name,
          familyName: b.family_name,
          title: b.title,
          department: b.department,
          site: b.site,
          telephone: b.telephone,
          mobile: b.mobile,
        }).filter(([, v]) => v !== undefined),
      );
      await directory.updatePerson(caller(req), req.params.uid, patch);
      return view(req, req.params.uid);
    },
  );

  r.post(
    '/api/v1/people/:uid/leaver',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'markLeaver',
        summary: 'Mark a leaver',
        params: uidParam,
        response: { 200: person, ...errors },
      },
    },
    async (req) => {
      await directory.markLeaver(caller(req), req.params.uid);
      return view(req, req.params.uid);
    },
  );

  r.post(
    '/api/v1/people/:uid/joiner',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'joinOrganisation',
        summary: 'A mover joins this organisation, keeping uid, mail and aliases',
        description:
          'A leaver moves at once (200). Someone active in another organisation is asked for (202, a move ' +
          'request): they move when that organisation releases them or makes them a leaver.',
        params: uidParam,
        body: z.object({ org_code: odsCode, ...fields }).strict(),
        response: { 200: person, 202: moveRequest, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const { request } = await directory.joinOrganisation(caller(req), req.params.uid, {
        orgCode: b.org_code,
        title: b.title,
        department: b.department,
        site: b.site,
        telephone: b.telephone,
        mobile: b.mobile,
      });
      if (request) return reply.code(202).send(moveRequestJson(request));
      return view(req, req.params.uid);
    },
  );

  r.put(
    '/api/v1/people/:uid/password',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'setPassword',
        summary: 'Set a password: your own with the current one, or as an administrator',
        description:
          'A new password has at least 8 and at most 256 characters (400 `validation.failed` otherwise). ' +
          "Changing your own needs `current_password`; an administrator resetting another person's leaves it out. " +
          'Every other token and session of the person ends, except (for your own change) the token making it.',
        params: uidParam,
        body: z
          .object({
            current_password: z
              .string()
              .max(1024)
              .optional()
              .describe('Your present password: required when changing your own'),
            new_password: z.string().max(1024).describe('The new password: at least 8 and at most 256 characters'),
          })
          .strict(),
        response: { 204: z.null().describe('The password is set'), ...errors },
      },
    },
    async (req, reply) => {
      await directory.setPassword(caller(req), req.params.uid, {
        currentPassword: req.body.current_password,
        newPassword: req.body.new_password,
        keepToken: req.token,
      });
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/people/:uid/restore',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'restorePerson',
        summary: 'Bring back a soft-deleted leaver with their uid and address (national administrators)',
        description:
          'They stay a leaver, visible to administrators again, with the retention period started afresh; a feed ' +
          'or a mover makes them active.',
        params: uidParam,
        response: { 200: person, ...errors },
      },
    },
    async (req) => {
      await directory.restorePerson(caller(req), req.params.uid);
      return view(req, req.params.uid);
    },
  );

  r.put(
    '/api/v1/people/:uid/quota',
    {
      config: { auth: true },
      schema: {
        tags: ['people'],
        operationId: 'setQuota',
        summary: 'Set the mailbox quota tier (2%/3% rule per organisation)',
        params: uidParam,
        body: z.object({ quota_mb: z.number().int() }).strict(),
        response: { 200: person, ...errors },
      },
    },
    async (req) => {
      await directory.setQuota(caller(req), req.params.uid, req.body.quota_mb);
      return view(req, req.params.uid);
    },
  );
}
