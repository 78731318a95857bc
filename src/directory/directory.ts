// The core as one object: each operation runs in its own transaction with the caller's Actor.
// Front ends call these; the sync engine composes the same functions inside one `run`.
import type { Database } from '../db/client.js';
import * as accounts from './accounts.service.js';
import { listAudit } from './audit.js';
import type { Ctx, CoreSettings } from './context.js';
import * as mailboxes from './mailboxes.service.js';
import * as orgs from './organisations.service.js';
import * as people from './people.service.js';
import { getPerson } from './people.queries.js';
import * as quotas from './quotas.js';
import * as secure from './secure-domains.js';
import * as tokens from './tokens.service.js';

export function createDirectory(database: Database, settings: CoreSettings, now: () => Date = () => new Date()) {
  const run = <R>(fn: (ctx: Ctx) => Promise<R>, cause?: string): Promise<R> =>
    database.db.transaction((tx) => fn({ tx, settings, now, cause }));
  const op = <A extends unknown[], R>(f: (ctx: Ctx, ...a: A) => Promise<R>) => (...a: A) => run((ctx) => f(ctx, ...a));
  // Reads need no transaction: one statement each, or a view where a moment's skew is harmless.
  const read = <A extends unknown[], R>(f: (ctx: Ctx, ...a: A) => Promise<R>) => (...a: A) => f({ tx: database.db, settings, now }, ...a);
  return {
    database,
    settings,
    now,
    run,
    authenticate: op(accounts.authenticate),
    loadActor: read(accounts.loadActor),
    setPassword: op(accounts.setPassword),
    grantRole: op(accounts.grantRole),
    createService: op(accounts.createService),
    createOrganisation: op(orgs.createOrganisation),
    renameOrganisation: op(orgs.renameOrganisation),
    closeOrganisation: op(orgs.closeOrganisation),
    getOrganisation: read(orgs.getOrganisation),
    listOrganisations: read(orgs.listOrganisations),
    createJoiner: op(people.createJoiner),
    updatePerson: op(people.updatePerson),
    markLeaver: op(people.markLeaver),
    joinOrganisation: op(people.joinOrganisation),
    softDeleteExpiredLeavers: op(people.softDeleteExpiredLeavers),
    restorePerson: op(people.restorePerson),
    getPerson: read(getPerson),
    setQuota: op(quotas.setQuota),
    getQuotaSummary: read(quotas.getQuotaSummary),
    createMailbox: op(mailboxes.createMailbox),
    getMailbox: read(mailboxes.getMailbox),
    setDelegate: op(mailboxes.setDelegate),
    removeDelegate: op(mailboxes.removeDelegate),
    listSecureDomains: read(secure.listSecureDomains),
    checkAddress: read(secure.checkAddress),
    listAudit: read(listAudit),
    issueToken: op(tokens.issueToken),
    issueServiceToken: op(tokens.issueServiceToken),
    verifyToken: read(tokens.verifyToken),
    revokeToken: op(tokens.revokeToken),
  };
}

export type Directory = ReturnType<typeof createDirectory>;
