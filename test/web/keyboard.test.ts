// Every task by keyboard alone: Tab to each control, type, Enter or Space. A user signs in, searches,
// opens a person, saves a mobile number and signs out; an administrator adds a joiner, marks them a
// leaver through the confirmation page and restores them.
import type { Page } from 'playwright-core';
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import { chromiumMissing, mainText, newPage, sharedBrowser, webFixture, webPasswords } from './browser.js';

const browser = sharedBrowser(t);
// A real browser on a machine that may be busy: a generous bound for the file (nothing asserts a time).
t.setTimeout(900_000);

/** Press Tab until the focused element matches `selector` (at most `max` times); fails otherwise. */
async function tabTo(page: Page, selector: string, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Activate the focused control with Enter and wait for the page it leads to. */
async function enter(page: Page, url: string | RegExp) {
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')]);
}

t.test('every task by keyboard alone', { skip: chromiumMissing }, async (t) => {
  const { base, dir } = await webFixture(t);
  const { page } = await newPage(t, await browser(), base);

  await page.goto('/sign-in');
  await tabTo(page, '.nhsuk-skip-link');
  await tabTo(page, '#username');
  await page.keyboard.type('jane.smith@nhs.net');
  await tabTo(page, '#password');
  await page.keyboard.type(webPasswords.jane);
  await enter(page, '**/search');

  await tabTo(page, '#q');
  await page.keyboard.type('john');
  await enter(page, /q=john/);
  await tabTo(page, '#results a');
  await enter(page, '**/people/john.smithson');
  t.match(await mainText(page), /John Smithson/);

  await tabTo(page, 'a.nhsuk-header__navigation-link[href="/me"]');
  await enter(page, '**/me');
  await tabTo(page, '#mobile');
  await page.keyboard.type('07700 900555');
  await tabTo(page, 'form[action="/me"] button');
  await enter(page, '**/me?done=details');
  t.equal((await dir.getPerson(systemActor, 'jane.smith')).mobile, '07700 900555', 'the mobile number, by keyboard');

  await tabTo(page, '#sign-out');
  await enter(page, /sign-in\?reason=out/);

  await page.goto('/sign-in');
  await tabTo(page, '#username');
  await page.keyboard.type('ann.admin');
  await tabTo(page, '#password');
  await page.keyboard.type(webPasswords.admin);
  await enter(page, '**/search');
  await tabTo(page, 'a.nhsuk-header__navigation-link[href="/organisations/RXA/people"]');
  await enter(page, '**/organisations/RXA/people');
  await tabTo(page, 'a[href="/organisations/RXA/joiners/new"]');
  await enter(page, '**/joiners/new');
  await tabTo(page, '#given_name');
  await page.keyboard.type('Kay');
  await tabTo(page, '#family_name');
  await page.keyboard.type('Board');
  await tabTo(page, 'form[action="/organisations/RXA/joiners"] button');
  await enter(page, '**/people/kay.board?joined=1');
  t.match(await page.textContent('#joined'), /kay\.board@nhs\.net/);
  await tabTo(page, 'a[href$="/leaver"]');
  await enter(page, '**/people/kay.board/leaver');
  await tabTo(page, '#confirm-leaver');
  await enter(page, '**/people/kay.board');
  t.equal((await dir.getPerson(systemActor, 'kay.board')).status, 'leaver', 'a leaver, by keyboard');
  await tabTo(page, '#restore');
  await Promise.all([page.waitForSelector('text=Change details'), page.keyboard.press('Enter')]);
  t.equal((await dir.getPerson(systemActor, 'kay.board')).status, 'active', 'restored, by keyboard');
});
