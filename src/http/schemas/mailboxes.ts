// Generic mailboxes: the Mailbox JSON and the schemas of src/http/mailboxes.routes.ts.
import { z } from 'zod';
import { permissions } from '../../directory/mailboxes.service.js';
import { odsCode } from './common.js';
import { errors } from './problems.js';

export const mailbox = z
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

const delegateParams = z.object({ uid: z.string().min(1).max(200), person_uid: z.string().min(1).max(200) });

export const createMailbox = {
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
};

export const getMailbox = {
  tags: ['mailboxes'],
  operationId: 'getMailbox',
  summary: 'One mailbox, with owner and delegates',
  params: z.object({ uid: z.string().min(1).max(200) }),
  response: { 200: mailbox, ...errors },
};

export const setDelegate = {
  tags: ['mailboxes'],
  operationId: 'setDelegate',
  summary: 'Add or change a delegate (the owner)',
  params: delegateParams,
  body: z.object({ permission: z.enum(permissions) }).strict(),
  response: { 200: mailbox, ...errors },
};

export const removeDelegate = {
  tags: ['mailboxes'],
  operationId: 'removeDelegate',
  summary: 'Remove a delegate (the owner)',
  params: delegateParams,
  response: { 200: mailbox, ...errors },
};
