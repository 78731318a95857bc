// People (contract section 4). Route code translates; the core decides who may do what.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Directory } from '../directory/directory.js';
import { caller } from './auth.js';
import { moveRoutes } from './moves.routes.js';
import { moveRequestJson } from './schemas/moves.js';
import { cursor } from './schemas/page.js';
import {
  createJoiner,
  getPerson,
  joinOrganisation,
  markLeaver,
  restorePerson,
  searchPeople,
  setPassword,
  setQuota,
  updatePerson,
} from './schemas/people.js';
import { personJson, personText } from './schemas/person.js';

export function peopleRoutes(app: FastifyInstance, directory: Directory) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  moveRoutes(app, directory);
  const view = async (req: { actor: unknown }, uid: string) =>
    personJson(await directory.getPerson(caller(req as never), uid));

  r.get('/api/v1/people', { config: { auth: true }, schema: searchPeople }, async (req, reply) => {
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
  });

  r.get('/api/v1/people/:uid', { config: { auth: true }, schema: getPerson }, async (req) => view(req, req.params.uid));

  r.post('/api/v1/people', { config: { auth: true }, schema: createJoiner }, async (req, reply) => {
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
    return reply.code(201).send(personJson(p));
  });

  r.patch('/api/v1/people/:uid', { config: { auth: true }, schema: updatePerson }, async (req) => {
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
    return personJson(await directory.updatePerson(caller(req), req.params.uid, patch));
  });

  r.post('/api/v1/people/:uid/leaver', { config: { auth: true }, schema: markLeaver }, async (req) => {
    return personJson(await directory.markLeaver(caller(req), req.params.uid));
  });

  r.post('/api/v1/people/:uid/joiner', { config: { auth: true }, schema: joinOrganisation }, async (req, reply) => {
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
  });

  r.put('/api/v1/people/:uid/password', { config: { auth: true }, schema: setPassword }, async (req, reply) => {
    await directory.setPassword(caller(req), req.params.uid, {
      currentPassword: req.body.current_password,
      newPassword: req.body.new_password,
      keepToken: req.token,
    });
    return reply.code(204).send(null);
  });

  r.post('/api/v1/people/:uid/restore', { config: { auth: true }, schema: restorePerson }, async (req) => {
    return personJson(await directory.restorePerson(caller(req), req.params.uid));
  });

  r.put('/api/v1/people/:uid/quota', { config: { auth: true }, schema: setQuota }, async (req) => {
    await directory.setQuota(caller(req), req.params.uid, req.body.quota_mb);
    return view(req, req.params.uid);
  });
}
