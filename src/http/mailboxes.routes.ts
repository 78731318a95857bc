// Generic mailboxes: administrators create them; the owner manages delegates alone.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Directory } from '../directory/directory.js';
import { caller } from './auth.js';
import { createMailbox, getMailbox, mailbox, removeDelegate, setDelegate } from './schemas/mailboxes.js';

export function mailboxRoutes(app: FastifyInstance, directory: Directory) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const view = async (req: { actor: unknown }, uid: string): Promise<z.infer<typeof mailbox>> => {
    const m = await directory.getMailbox(caller(req as never), uid);
    return {
      uid: m.uid,
      mail: m.mail,
      name: m.cn,
      display_name: m.displayName,
      org_code: m.orgCode,
      owner_uid: m.ownerUid,
      delegates: m.delegates,
      quota_mb: m.quotaMb,
      listed: m.listed,
    };
  };

  r.post('/api/v1/mailboxes', { config: { auth: true }, schema: createMailbox }, async (req, reply) => {
    const b = req.body;
    const m = await directory.createMailbox(caller(req), {
      name: b.name,
      orgCode: b.org_code,
      ownerUid: b.owner_uid,
      quotaMb: b.quota_mb,
      listed: b.listed,
    });
    return reply.code(201).send(await view(req, m.uid));
  });

  r.get('/api/v1/mailboxes/:uid', { config: { auth: true }, schema: getMailbox }, async (req) =>
    view(req, req.params.uid),
  );

  r.put(
    '/api/v1/mailboxes/:uid/delegates/:person_uid',
    { config: { auth: true }, schema: setDelegate },
    async (req) => {
      await directory.setDelegate(caller(req), req.params.uid, req.params.person_uid, req.body.permission);
      return view(req, req.params.uid);
    },
  );

  r.delete(
    '/api/v1/mailboxes/:uid/delegates/:person_uid',
    { config: { auth: true }, schema: removeDelegate },
    async (req) => {
      await directory.removeDelegate(caller(req), req.params.uid, req.params.person_uid);
      return view(req, req.params.uid);
    },
  );
}
