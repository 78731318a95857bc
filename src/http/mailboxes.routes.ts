// Generic mailboxes: administrators create them; the owner manages delegates alone.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Directory } from '../directory/directory.js';
import { permissions } from '../directory/mailboxes.service.js';
import { caller } from './auth.js';
import { odsCode, problem } from './schemas.js';

const mailbox = z
  .object({
    uid: z.string(),
    mail: z.string(),
    name: z.string(),
    display_name: z.string(),
    org_code: z.string().nullable(),
    owner_uid: z.string(),
    delegates: z.array(z.object({ uid: z.string(), permission: z.enum(permissions) })),
    quota_mb: z.number().int(),
    listed: z.boolean(),
  })
  .meta({ id: 'Mailbox' });
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };
const delegateParams = z.object({ uid: z.string().min(1).max(200), person_uid: z.string().min(1).max(200) });

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

  r.post(
    '/api/v1/mailboxes',
    {
      config: { auth: true },
      schema: {
        tags: ['mailboxes'],
        operationId: 'createMailbox',
        summary: 'Create a generic mailbox',
        body: z
          .object({
            name: z.string().min(1).max(200),
            org_code: odsCode,
            owner_uid: z.string().min(1).max(200),
            quota_mb: z.number().int().optional(),
            listed: z.boolean().optional(),
          })
          .strict(),
        response: { 201: mailbox, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const m = await directory.createMailbox(caller(req), {
        name: b.name,
        orgCode: b.org_code,
        ownerUid: b.owner_uid,
        quotaMb: b.quota_mb,
        listed: b.listed,
      });
      return reply.code(201).send(await view(req, m.uid));
    },
  );

  r.get(
    '/api/v1/mailboxes/:uid',
    {
      config: { auth: true },
      schema: {
        tags: ['mailboxes'],
        operationId: 'getMailbox',
        summary: 'One mailbox, with owner and delegates',
        params: z.object({ uid: z.string().min(1).max(200) }),
        response: { 200: mailbox, ...errors },
      },
    },
    async (req) => view(req, req.params.uid),
  );

  r.put(
    '/api/v1/mailboxes/:uid/delegates/:person_uid',
    {
      config: { auth: true },
      schema: {
        tags: ['mailboxes'],
        operationId: 'setDelegate',
        summary: 'Add or change a delegate (the owner)',
        params: delegateParams,
        body: z.object({ permission: z.enum(permissions) }).strict(),
        response: { 200: mailbox, ...errors },
      },
    },
    async (req) => {
      await directory.setDelegate(caller(req), req.params.uid, req.params.person_uid, req.body.permission);
      return view(req, req.params.uid);
    },
  );

  r.delete(
    '/api/v1/mailboxes/:uid/delegates/:person_uid',
    {
      config: { auth: true },
      schema: {
        tags: ['mailboxes'],
        operationId: 'removeDelegate',
        summary: 'Remove a delegate (the owner)',
        params: delegateParams,
        response: { 200: mailbox, ...errors },
      },
    },
    async (req) => {
      await directory.removeDelegate(caller(req), req.params.uid, req.params.person_uid);
      return view(req, req.params.uid);
    },
  );
}
