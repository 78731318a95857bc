// Generic mailboxes: shared team addresses with an owning person, who manages delegates alone.
import { and, asc, eq, isNull } from 'drizzle-orm';
import { mailboxDelegates, people } from '../db/schema.js';
import type { Actor } from './actor.js';
import { isAdminOf, requireAdminOf } from './actor.js';
import { allocateAddress, foldName } from './addresses.js';
import { record } from './audit.js';
import type { Ctx } from './context.js';
import { fail } from './errors.js';
import { activeOrganisation } from './organisations.service.js';
import { displayName, findRow, getPerson } from './people.queries.js';
import { canSee, visibilityOf } from './visibility.js';
import { checkTier, ensureRoom } from './quotas.js';

export const permissions = ['full_access', 'send_as', 'send_on_behalf'] as const;
export type Permission = (typeof permissions)[number];

export interface MailboxInput {
  name: string;
  orgCode: string;
  ownerUid: string;
  quotaMb?: number;
  listed?: boolean;
}

/** "Ward 7 Pharmacy" → ward.7.pharmacy: each word folded as names are, joined by dots. */
export function mailboxBase(name: string): string {
  const base = name.split(/\s+/).map(foldName).filter(Boolean).join('.');
  if (!base)
    fail('validation.failed', `"${name}" leaves nothing to make an address from`, { name: 'needs letters or digits' });
  return base;
}

export async function createMailbox(ctx: Ctx, actor: Actor, input: MailboxInput) {
  requireAdminOf(actor, input.orgCode);
  const name = input.name.replace(/\s+/g, ' ').trim();
  const base = mailboxBase(name);
  if (!input.ownerUid)
    fail('mailbox.no_owner', 'A generic mailbox needs an owning person', { owner_uid: 'is required' });
  const owner = await findRow(ctx, input.ownerUid, { seenBy: actor }).catch(() =>
    fail('mailbox.no_owner', `The owner ${input.ownerUid} is not in the directory`, {
      owner_uid: 'must be an active person',
    }),
  );
  if (owner.status !== 'active')
    fail('mailbox.no_owner', `The owner ${input.ownerUid} is a leaver`, { owner_uid: 'must be an active person' });
  const org = await activeOrganisation(ctx, input.orgCode);
  const quotaMb = checkTier(input.quotaMb ?? 200);
  await ensureRoom(ctx, org.code, quotaMb, true);
  const placeholder = `pending-${crypto.randomUUID()}`;
  const now = ctx.now();
  const [row] = await ctx.tx
    .insert(people)
    .values({
      kind: 'mailbox',
      uid: placeholder,
      mail: placeholder,
      familyName: name,
      cn: name,
      displayName: displayName(name, org.name),
      orgCode: org.code,
      ownerId: owner.id,
      quotaMb,
      listed: input.listed ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: people.id });
  const mail = await allocateAddress(ctx.tx, base, ctx.settings.mailDomain, row.id);
  const uid = mail.slice(0, mail.indexOf('@'));
  const [mailbox] = await ctx.tx.update(people).set({ uid, mail }).where(eq(people.id, row.id)).returning();
  await record(ctx.tx, actor, {
    action: 'mailbox.create',
    targetType: 'mailbox',
    targetId: uid,
    after: { ...mailbox, owner: owner.uid },
    cause: ctx.cause,
  });
  return mailbox;
}

export async function getMailbox(ctx: Ctx, actor: Actor, uid: string) {
  const mailbox = await getPerson(ctx, actor, uid, 'mailbox');
  const [owner] = await ctx.tx.select({ uid: people.uid }).from(people).where(eq(people.id, mailbox.ownerId!));
  const delegates = await ctx.tx
    .select({ uid: people.uid, permission: mailboxDelegates.permission })
    .from(mailboxDelegates)
    .innerJoin(people, eq(people.id, mailboxDelegates.personId))
    .where(eq(mailboxDelegates.mailboxId, mailbox.id))
    .orderBy(people.uid);
  return { ...mailbox, ownerUid: owner.uid, delegates };
}

/** The generic mailboxes `actor` owns (none for a service account): what "my mailboxes" lists. */
export async function listOwnedMailboxes(ctx: Ctx, actor: Actor) {
  if (actor.personId === undefined) return [];
  return ctx.tx
    .select({ uid: people.uid, mail: people.mail, displayName: people.displayName })
    .from(people)
    .where(and(eq(people.kind, 'mailbox'), eq(people.ownerId, actor.personId), isNull(people.deletedAt)))
    .orderBy(asc(people.uid));
}

/** The owner, or an administrator of the mailbox's organisation. */
async function manageable(ctx: Ctx, actor: Actor, uid: string) {
  const mailbox = await findRow(ctx, uid, { kind: 'mailbox', forUpdate: true, seenBy: actor });
  if (actor.personId !== mailbox.ownerId && !isAdminOf(actor, mailbox.orgCode)) {
    fail('auth.forbidden', `Only the owner of ${uid} manages its delegates`);
  }
  return mailbox;
}

export async function setDelegate(ctx: Ctx, actor: Actor, uid: string, personUid: string, permission: Permission) {
  if (!permissions.includes(permission))
    fail('validation.failed', `Unknown permission ${permission}`, {
      permission: `must be one of ${permissions.join(', ')}`,
    });
  const mailbox = await manageable(ctx, actor, uid);
  const person = await findRow(ctx, personUid, { seenBy: actor });
  if (person.status !== 'active') fail('person.not_active', `${personUid} is a leaver`);
  const [before] = await ctx.tx
    .select()
    .from(mailboxDelegates)
    .where(and(eq(mailboxDelegates.mailboxId, mailbox.id), eq(mailboxDelegates.personId, person.id)));
  if (before?.permission === permission) return;
  await ctx.tx
    .insert(mailboxDelegates)
    .values({ mailboxId: mailbox.id, personId: person.id, permission })
    .onConflictDoUpdate({ target: [mailboxDelegates.mailboxId, mailboxDelegates.personId], set: { permission } });
  await record(ctx.tx, actor, {
    action: 'mailbox.delegate',
    targetType: 'mailbox',
    targetId: uid,
    before: before ? { delegate: personUid, permission: before.permission } : null,
    after: { delegate: personUid, permission },
    cause: ctx.cause,
  });
}

export async function removeDelegate(ctx: Ctx, actor: Actor, uid: string, personUid: string) {
  const mailbox = await manageable(ctx, actor, uid);
  const person = await findRow(ctx, personUid);
  const removed = await ctx.tx
    .delete(mailboxDelegates)
    .where(and(eq(mailboxDelegates.mailboxId, mailbox.id), eq(mailboxDelegates.personId, person.id)))
    .returning();
  // A delegate who has since left is listed on the mailbox, so may be removed by whoever manages
  // it; anyone else hidden from the caller is not found, as a read would say.
  if (removed.length === 0) {
    if (!canSee(visibilityOf(actor), person)) fail('person.not_found', `No person has the uid ${personUid}`);
    return;
  }
  await record(ctx.tx, actor, {
    action: 'mailbox.undelegate',
    targetType: 'mailbox',
    targetId: uid,
    before: { delegate: personUid, permission: removed[0].permission },
    after: null,
    cause: ctx.cause,
  });
}
