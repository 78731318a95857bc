// People (contract section 4): the schemas of src/http/people.routes.ts.
import { z } from 'zod';
import { odsCode } from './common.js';
import { moveRequest } from './moves.js';
import { page, pageQuery } from './page.js';
import { person } from './person.js';
import { errors } from './problems.js';

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

export const searchPeople = {
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
    ...pageQuery,
  }),
  response: { 200: page(person), ...errors },
};

export const getPerson = {
  tags: ['people'],
  operationId: 'getPerson',
  summary: 'One person',
  params: uidParam,
  response: { 200: person, ...errors },
};

export const createJoiner = {
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
};

export const updatePerson = {
  tags: ['people'],
  operationId: 'updatePerson',
  summary: 'Edit a person (administrators); a person edits their own telephone and mobile',
  params: uidParam,
  body: z
    .object({ given_name: text(100).min(1).optional(), family_name: text(100).min(1).optional(), ...fields })
    .strict(),
  response: { 200: person, ...errors },
};

export const markLeaver = {
  tags: ['people'],
  operationId: 'markLeaver',
  summary: 'Mark a leaver',
  params: uidParam,
  response: { 200: person, ...errors },
};

export const joinOrganisation = {
  tags: ['people'],
  operationId: 'joinOrganisation',
  summary: 'A mover joins this organisation, keeping uid, mail and aliases',
  description:
    'A leaver moves at once (200). Someone active in another organisation is asked for (202, a move ' +
    'request): they move when that organisation releases them or makes them a leaver.',
  params: uidParam,
  body: z.object({ org_code: odsCode, ...fields }).strict(),
  response: { 200: person, 202: moveRequest, ...errors },
};

export const setPassword = {
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
};

export const restorePerson = {
  tags: ['people'],
  operationId: 'restorePerson',
  summary: 'Bring back a soft-deleted leaver with their uid and address (national administrators)',
  description:
    'They stay a leaver, visible to administrators again, with the retention period started afresh; a feed ' +
    'or a mover makes them active.',
  params: uidParam,
  response: { 200: person, ...errors },
};

export const setQuota = {
  tags: ['people'],
  operationId: 'setQuota',
  summary: 'Set the mailbox quota tier (2%/3% rule per organisation)',
  params: uidParam,
  body: z.object({ quota_mb: z.number().int() }).strict(),
  response: { 200: person, ...errors },
};
