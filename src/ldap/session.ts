// One LDAP connection's state and operations: bind, search, extended operations, abandon.
// The directory core decides; this file translates LDAP into core calls and results back.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Actor } from '../directory/actor.js';
import type { Principal } from '../directory/accounts.service.js';
import { principalFromName } from '../directory/accounts.service.js';
import type { Directory } from '../directory/directory.js';
import { describeError, DirectoryError, isDatabaseUnavailable } from '../directory/errors.js';
import { randomSecret } from '../directory/secrets.js';
import { BerReader, BerWriter, seq, str } from './ber.js';
import { endsWith, parseDn } from './dn.js';
import { Dit } from './mapping.js';
import { ABANDONED, LdapError, ldapResultFor } from './errors.js';
import { extendedResult, message, OID, responseTag, result, Result, type Message } from './protocol.js';
import { metrics } from '../metrics.js';
import { search, type SearchOutcome } from './search.js';
import { takeTurn } from './turns.js';

export interface SessionOptions {
  directory: Directory;
  dit: Dit;
  anonymous: boolean;
  sizeCap: number;
  vendorVersion: string;
  tls: boolean;
  canStartTls: boolean;
  /** The client's address: failed binds are throttled per address before any password is checked. */
  source?: string;
  log: Logger;
  /** A warning that would repeat for every operation while it lasts (the database down): at most one a minute. */
  warnOnce?: (kind: string, fields: object, msg: string) => void;
}

export interface Transport {
  /** Write bytes, resolving when the socket can take more (back-pressure). */
  write(bytes: Buffer): Promise<void>;
  startTls(): Promise<void>;
  /** A notice of disconnection with this code and text (RFC 4511 section 4.4.1), then the end. */
  close(code: number, text: string): void;
}

export class Session {
  actor: Actor | null = null;
  /** The bound person's password-change time as it was at bind (or at their own change here). */
  private boundPasswordAt: number | undefined;
  private readonly abandoned = new Set<number>();
  /** The operation running now, aborted when abandoned or when the connection closes. */
  private readonly running = new Map<number, AbortController>();
  private readonly writer = new BerWriter();
  private tls: boolean;
  /** Names this connection in its paged-results cookies, which no other connection may use. */
  private readonly connection = randomBytes(16).toString('base64url');

  constructor(
    private readonly opts: SessionOptions,
    private readonly transport: Transport,
  ) {
    this.tls = opts.tls;
  }

  /** Abandon acts at once, ahead of the queue (RFC 4511 section 4.11). */
  abandon(id: number) {
    this.abandoned.add(id);
    this.running.get(id)?.abort();
  }

  /** The connection has closed: nothing it asked for need run any more. */
  closed() {
    for (const op of this.running.values()) op.abort();
  }

  async handle(msg: Message): Promise<void> {
    const { id, request: req } = msg;
    metrics.ldapOperations.add({ op: req.op });
    try {
      // A node whose start-up has not yet reached its database answers unavailable (issue 15).
      if (req.op === 'bind' || req.op === 'search' || req.op === 'extended') this.opts.directory.checkAvailable();
      // What memory may answer for this operation is asked once, for the rights check and the search alike.
      const reads = req.op === 'search' || req.op === 'extended';
      const said = reads ? await this.opts.directory.current() : undefined;
      if (reads && !(await this.stillValid(said))) return;
      switch (req.op) {
        case 'bind':
          return await this.bind(id, req);
        case 'search':
          return await this.search(msg, said);
        case 'extended':
          return await this.extended(id, req.name, req.value);
        case 'unbind':
        case 'abandon':
          return;
        default:
          return await this.reply(
            id,
            result(
              responseTag[req.op],
              Result.unwillingToPerform,
              'the directory is fed by HR and the REST API; LDAP is read-only',
            ),
          );
      }
    } catch (err) {
      // The core's refusals are answers, and so is a database that cannot be reached (RFC 4511
      // appendix A.1: unavailable); anything else is the transport's to log and end.
      const tag =
        req.op === 'bind' ? responseTag.bind : req.op === 'search' ? responseTag.search : responseTag.extended;
      if (err instanceof LdapError) {
        await this.reply(id, result(tag, err.code, err.message, [], err.matchedDN), err.controls);
      } else if (err instanceof DirectoryError) {
        const [code, text] = ldapResultFor(err);
        await this.reply(id, result(tag, code, text));
      } else if (describeError(err).code?.startsWith('22')) {
        // SQLSTATE class 22, a data exception: a value from the request the database would not take
        // (a number out of range, say). The client's doing, answered; never an internal error.
        await this.answerFailure(id, tag, err, Result.unwillingToPerform, 'a value in the request cannot be used');
      } else if (isDatabaseUnavailable(err)) {
        await this.answerFailure(id, tag, err, Result.unavailable, 'the database cannot be reached; try later');
      } else {
        throw err;
      }
    } finally {
      this.abandoned.delete(id);
    }
  }

  /** An operation the database failed, answered with `code`; a warning (a minute apart at most), no stack. */
  private async answerFailure(id: number, tag: number, err: unknown, code: number, text: string) {
    this.writer.reset(); // a search may have failed half-way through its entries
    const warn = this.opts.warnOnce ?? ((_kind, fields, msg) => this.opts.log.warn(fields, msg));
    warn(`result:${code}`, { error: describeError(err), resultCode: code }, `LDAP: answered ${code}, ${text}`);
    await this.reply(id, result(tag, code, text));
  }

  /**
   * The bound identity as the directory has it now (issue 10: rights are not kept from the bind).
   * A leaver, a deleted person or a removed service, or a password changed or reset since this
   * connection bound, ends the connection with a notice; lost roles take effect from this
   * operation. From the core's read cache, emptied by every write: cheap on every operation.
   */
  private async stillValid(said: number | undefined): Promise<boolean> {
    if (!this.actor) return true; // anonymous: nothing to lose
    const now = await this.opts.directory.currentActor(this.actor, said);
    if (now && now.passwordChangedAt === this.boundPasswordAt) {
      this.actor = now;
      return true;
    }
    this.actor = null;
    // RFC 4511 section 4.4.1: strongerAuthRequired, the security association has been compromised.
    this.transport.close(
      Result.strongerAuthRequired,
      now
        ? 'the password was changed since this connection bound: bind again'
        : 'the bound account is no longer active',
    );
    return false;
  }

  private reply(id: number, op: Buffer, controls: Message['controls'] = []) {
    return this.transport.write(message(id, op, controls));
  }

  /** The principal a bind name stands for: a person or service DN, or a bare address, uid or service name. */
  private principal(name: string): Principal | null {
    if (name.includes('\u0000')) return null; // no account's name has one, and PostgreSQL's text cannot
    if (!name.includes('=')) return principalFromName(name);
    let rdns;
    try {
      rdns = parseDn(name);
    } catch {
      return null;
    }
    const suffix = parseDn(this.opts.dit.suffix);
    if (!endsWith(rdns, suffix)) return null;
    const rel = rdns.slice(0, rdns.length - suffix.length);
    const top = rel[rel.length - 1]?.value.toLowerCase();
    if (rel.length === 2 && rel[0].type === 'uid' && top === 'people') return { uid: rel[0].value.toLowerCase() };
    if (rel.length === 2 && rel[0].type === 'cn' && top === 'services') return { service: rel[0].value.toLowerCase() };
    if (rel.length === 3 && rel[0].type === 'uid' && top === 'addressbooks') return { uid: rel[0].value.toLowerCase() };
    return null;
  }

  private async bind(id: number, req: Extract<Message['request'], { op: 'bind' }>) {
    const done = (code: number, text = '') => this.reply(id, result(responseTag.bind, code, text));
    this.actor = null;
    if (req.version !== 3) return done(Result.protocolError, 'only LDAP version 3 is supported');
    if (req.sasl !== undefined) return done(Result.authMethodNotSupported, 'only simple bind is supported');
    if (req.name === '' && req.simple === '') return done(Result.success); // anonymous
    // RFC 4513 section 5.1.2: a name with an empty password is an unauthenticated bind; refuse it.
    if (req.simple === '')
      return done(Result.unwillingToPerform, 'unauthenticated bind (a name with no password) is not allowed');
    const principal = this.principal(req.name);
    const actor = principal
      ? await this.opts.directory.authenticate(principal, req.simple ?? '', this.opts.source)
      : null;
    if (!actor) return done(Result.invalidCredentials, 'invalid credentials');
    this.actor = actor;
    this.boundPasswordAt = actor.passwordChangedAt;
    return done(Result.success);
  }

  private dnOf(actor: Actor): string {
    return actor.kind === 'service' ? this.opts.dit.service(actor.name) : this.opts.dit.person(actor.name);
  }

  private async search(msg: Message, said: number | undefined) {
    const req = msg.request as Extract<Message['request'], { op: 'search' }>;
    const { directory, dit, anonymous, sizeCap, vendorVersion } = this.opts;
    const env = {
      reads: directory,
      dit,
      said,
      actor: this.actor,
      anonymous,
      sizeCap,
      vendorVersion,
      connection: this.connection,
      startTls: this.opts.canStartTls,
    };
    // Entries are written into one buffer and sent together: one socket write per 64 KiB, not per entry.
    // Every 16 entries, and before starting, the search lets other work have its turn (turns.ts).
    const w = this.writer;
    let sent = 0;
    let outcome: SearchOutcome | typeof ABANDONED;
    const op = new AbortController();
    if (this.abandoned.has(msg.id)) op.abort();
    this.running.set(msg.id, op);
    try {
      await takeTurn();
      outcome = await search(
        env,
        req,
        msg.controls,
        (entry, selection) => {
          selection.writeEntry(w, msg.id, entry);
          const turn = ++sent % 16 === 0;
          if (w.length > 64 * 1024) return this.transport.write(w.take()).then(() => (turn ? takeTurn() : undefined));
          return turn ? takeTurn() : undefined;
        },
        op,
      );
    } catch (err) {
      // A refusal follows whatever entries were sent before it, as any other result does.
      if (op.signal.aborted)
        outcome = ABANDONED; // abandoned or gone while waiting: nobody to answer
      else if (err instanceof LdapError)
        outcome = { code: err.code, diagnostic: err.message, matchedDN: err.matchedDN, controls: err.controls };
      else if (err instanceof DirectoryError) {
        const [code, diagnostic] = ldapResultFor(err);
        outcome = { code, diagnostic };
      } else throw err;
    } finally {
      this.running.delete(msg.id);
    }
    if (outcome === ABANDONED) {
      w.take(); // no response at all
      return;
    }
    w.raw(
      message(
        msg.id,
        result(responseTag.search, outcome.code, outcome.diagnostic ?? '', [], outcome.matchedDN ?? ''),
        outcome.controls ?? [],
      ),
    );
    await this.transport.write(w.take());
    await outcome.settling;
  }

  private async extended(id: number, name: string, value?: Buffer) {
    const done = (code: number, text = '', responseName?: string, responseValue?: Buffer) =>
      this.reply(id, extendedResult(code, text, responseName, responseValue));
    switch (name) {
      case OID.whoAmI:
        // RFC 4532: "dn:<DN>" for a bound identity, empty for anonymous.
        return done(Result.success, '', undefined, Buffer.from(this.actor ? `dn:${this.dnOf(this.actor)}` : ''));
      case OID.startTls: {
        if (!this.opts.canStartTls)
          return done(Result.unavailable, 'no certificate is configured (TLS_CERT_FILE, TLS_KEY_FILE)');
        if (this.tls) return done(Result.operationsError, 'TLS is already in use');
        await done(Result.success, '', OID.startTls);
        await this.transport.startTls();
        this.tls = true;
        return;
      }
      case OID.passwordModify:
        return this.passwordModify(done, value);
      default:
        return done(Result.protocolError, `unsupported extended operation ${name}`);
    }
  }

  /** RFC 3062: own password (with the old one), or an administrator's for another person. */
  private async passwordModify(
    done: (code: number, text?: string, name?: string, value?: Buffer) => Promise<void>,
    value?: Buffer,
  ) {
    if (!this.actor) return done(Result.insufficientAccessRights, 'bind first');
    let target: string | undefined, oldPassword: string | undefined, newPassword: string | undefined;
    if (value?.length) {
      const r = new BerReader(value).read(0x30).body;
      while (!r.done) {
        const t = r.peekTag();
        const v = r.string(t);
        if (t === 0x80) target = v;
        else if (t === 0x81) oldPassword = v;
        else if (t === 0x82) newPassword = v;
      }
    }
    let uid = this.actor.kind === 'person' ? this.actor.name : undefined;
    if (target) {
      const p = this.principal(target);
      uid = p && 'uid' in p ? p.uid : undefined;
      if (!uid) return done(Result.unwillingToPerform, 'the user identity must be a person');
    }
    if (!uid) return done(Result.unwillingToPerform, 'service account passwords are set by a national administrator');
    const generated = newPassword === undefined ? randomSecret(12) : undefined;
    await this.opts.directory.setPassword(this.actor, uid, {
      currentPassword: oldPassword,
      newPassword: newPassword ?? generated!,
    });
    if (this.actor.kind === 'person' && uid === this.actor.name) {
      // One's own change ends one's other connections, not the one that made it.
      const me = await this.opts.directory.currentActor(this.actor);
      this.actor = me;
      this.boundPasswordAt = me?.passwordChangedAt;
    }
    return done(Result.success, '', undefined, generated ? seq(0x30, [str(generated, 0x80)]) : undefined);
  }
}
