// The review queue: possible re-hires a staff feed found (a leaver elsewhere with the same NI number
// and date of birth). Nothing is merged automatically: an administrator of the organisation links
// the row to the earlier person (who keeps uid, address and aliases) or makes a new person.
import type { Actor } from '../directory/actor.js';
import { isNational, requireAdmin, requireAdminOf } from '../directory/actor.js';
import type { Directory } from '../directory/directory.js';
import { fail } from '../directory/errors.js';
import { lockFeed } from '../directory/feed-lock.js';
import { addJoiners } from '../directory/joiners.bulk.js';
import { activeOrganisation } from '../directory/organisations.service.js';
import { joinOrganisation } from '../directory/moves.service.js';
import { updatePerson } from '../directory/people.service.js';
import { listOpenReviews, lockReviewItem, resolveReviewItem } from '../directory/review-queue.js';
import type { FeedPerson } from './staff.collect.js';

export function createReview(directory: Directory) {
  async function listReview(actor: Actor, q: { after?: number; limit: number }) {
    requireAdmin(actor);
    const orgs = isNational(actor) ? undefined : [...actor.adminOf];
    return directory.run((ctx) => listOpenReviews<FeedPerson>(ctx, { ...q, orgs }));
  }

  /** "link": the earlier person joins the organisation; "new": a new person is made from the row. */
  async function resolveReview(actor: Actor, id: number, decision: { action: 'link' | 'new'; uid?: string }) {
    const uid = await directory.run(async (ctx) => {
      const item = await lockReviewItem(ctx, id);
      if (!item) fail('review.not_found', `No review item ${id}`);
      requireAdminOf(actor, item.orgCode);
      if (item.status !== 'open') fail('review.resolved', `Review item ${id} was resolved already (${item.status})`);
      // The organisation's feed lock: a resolution never interleaves with a run for it.
      await lockFeed(ctx, item.orgCode);
      const row = item.record as FeedPerson;
      const org = await activeOrganisation(ctx, item.orgCode);
      const fields = {
        title: row.title,
        department: row.department,
        site: row.site,
        telephone: row.telephone,
        mobile: row.mobile,
      };
      let uid: string;
      if (decision.action === 'link') {
        // The candidate the feed found; linking to someone else is a national administrator's call.
        if (decision.uid && decision.uid !== item.candidateUid && !isNational(actor)) {
          fail(
            'auth.forbidden',
            `Only a national administrator may link this row to someone other than ${item.candidateUid}`,
          );
        }
        uid = decision.uid ?? item.candidateUid;
        const { person: moved, request } = await joinOrganisation(
          ctx,
          actor,
          uid,
          { orgCode: org.code, hrKey: item.hrKey, source: 'review', ...fields },
          { returning: true },
        );
        if (request)
          fail(
            'person.already_active',
            `${uid} is active in ${moved.orgCode}: ask that organisation to release them first`,
          );
        if (moved.givenName !== row.givenName || moved.familyName !== row.familyName) {
          await updatePerson(ctx, actor, uid, { givenName: row.givenName, familyName: row.familyName }, { feed: true });
        }
      } else {
        [{ uid }] = await addJoiners(ctx, actor, org, [
          { ...row, orgCode: org.code, hrKey: item.hrKey, source: 'review' },
        ]);
      }
      await resolveReviewItem(ctx, actor, id, decision.action === 'link' ? 'linked' : 'new');
      return uid;
    }, `review:${id}`);
    return directory.getPerson(actor, uid);
  }

  return { listReview, resolveReview };
}

export type Review = ReturnType<typeof createReview>;
