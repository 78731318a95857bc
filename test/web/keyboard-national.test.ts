// A national administrator's tasks by keyboard alone: an address checked against the secure domains;
// an organisation created, renamed, and another closed with it as successor (its people move there);
// a role granted and taken away (the checkbox by Space); a service account created. axe-core on the
// national pages, which no other browser test reaches.
import t from 'tap';
import { systemActor } from '../../src/directory/actor.js';
import {
  checkAccessibility,
  chooseOption,
  chromiumMissing,
  enter,
  mainText,
  newPage,
  sharedBrowser,
  signInByKeyboard,
  tabTo,
  typeIn,
  webFixture,
  webPasswords,
} from './browser.js';

const browser = sharedBrowser(t);
// A real browser on a machine that may be busy: a generous bound for the file (nothing asserts a time).
t.setTimeout(900_000);

t.test("a national administrator's forms by keyboard alone", { skip: chromiumMissing }, async (t) => {
  const { base, dir } = await webFixture(t);
  const { page } = await newPage(t, await browser(), base);
  await signInByKeyboard(page, 'nia.national', webPasswords.nat);
  const toAdmin = async () => {
    await tabTo(page, 'a.nhsuk-header__navigation-link[href="/admin"]');
    await enter(page, /\/admin(\?|$)/);
  };
  await toAdmin();
  await checkAccessibility(t, page);

  // Secure domains: the list, and an address checked against it.
  t.match(await page.textContent('#domains'), /gcsx\.gov\.uk.*nhs\.net/s);
  const check = async (address: string) => {
    await typeIn(page, '#address', address);
    await tabTo(page, 'form[action="/admin"]:has(#address) button');
    await enter(page, /address=/);
    return page.textContent('#secure-answer');
  };
  t.match(await check('clerk@council.gcsx.gov.uk'), /clerk@council\.gcsx\.gov\.uk is on a secure domain/);
  t.equal((await dir.checkAddress('clerk@council.gcsx.gov.uk')).secure, true, 'as the directory answers');
  await checkAccessibility(t, page, '/admin (an address checked)');
  t.match(await check('someone@example.com'), /someone@example\.com is not on a secure domain/);

  // An organisation created, then renamed (its earlier name kept).
  await typeIn(page, '#code', 'RXC');
  await typeIn(page, '#name', 'Gamma Health NHS Trust');
  await tabTo(page, 'form[action="/admin/organisations"] button');
  await enter(page, '**/organisations/RXC');
  t.match(await mainText(page), /Gamma Health NHS Trust.*Status\s*Open/);
  t.match(await dir.getOrganisation('RXC'), { name: 'Gamma Health NHS Trust', status: 'active' }, 'created');
  await tabTo(page, 'a[href="/organisations/RXC/manage"]');
  await enter(page, '**/organisations/RXC/manage');
  await checkAccessibility(t, page);
  await typeIn(page, '#name', 'Gamma Community NHS Trust');
  await tabTo(page, 'form[action="/organisations/RXC/rename"] button');
  await enter(page, '**/organisations/RXC');
  t.match(await mainText(page), /Gamma Community NHS Trust.*Earlier names.*Gamma Health NHS Trust/);
  t.equal((await dir.getOrganisation('RXC')).name, 'Gamma Community NHS Trust', 'renamed, by keyboard');

  // RXB closed with RXC as its successor: its people move there, keeping their addresses.
  await toAdmin();
  await tabTo(page, '#organisations a[href="/organisations/RXB"]');
  await enter(page, '**/organisations/RXB');
  await tabTo(page, 'a[href="/organisations/RXB/manage"]');
  await enter(page, '**/organisations/RXB/manage');
  await typeIn(page, '#successor_code', 'RXC');
  await tabTo(page, 'form[action="/organisations/RXB/close"] button');
  await enter(page, '**/organisations/RXB');
  t.match(await mainText(page), /Status\s*Closed.*Succeeded by\s*RXC/);
  t.match(await dir.getOrganisation('RXB'), { status: 'closed', successorCode: 'RXC' }, 'closed, by keyboard');
  t.match(
    await dir.getPerson(systemActor, 'bob.builder'),
    { orgCode: 'RXC', mail: 'bob.builder@nhs.net', status: 'active' },
    'its people moved to the successor',
  );

  // A role granted, then taken away with the checkbox ticked by Space.
  const bobRoles = async () => [...(await dir.authenticate({ uid: 'bob.builder' }, webPasswords.bob))!.roles];
  const saveRole = async (revoke: boolean) => {
    await typeIn(page, '#holder', 'bob.builder');
    await chooseOption(page, '#role', 'Auditor');
    if (revoke) {
      await tabTo(page, '#revoke');
      await page.keyboard.press('Space');
      t.ok(await page.isChecked('#revoke'), 'Space ticks the checkbox');
    }
    await tabTo(page, 'form[action="/admin/grants"] button');
    await enter(page, `**/admin?done=${revoke ? 'revoked' : 'granted'}`);
  };
  await toAdmin();
  await saveRole(false);
  t.match(await page.textContent('#done'), /The role has been granted/);
  t.ok((await bobRoles()).includes('auditor'), 'granted, by keyboard');
  await saveRole(true);
  t.match(await page.textContent('#done'), /The role has been taken away/);
  t.notOk((await bobRoles()).includes('auditor'), 'taken away, by keyboard');

  // A service account, a connector for RXC.
  await typeIn(page, '#service_name', 'rxc-feed');
  await typeIn(page, '#description', 'Gamma HR feed');
  await typeIn(page, '#service_password', 'rxc-feed-password');
  await chooseOption(page, '#service_role', 'Connector');
  await typeIn(page, '#service_org', 'RXC');
  await tabTo(page, 'form[action="/admin/services"] button');
  await enter(page, '**/admin?done=service');
  t.match(await page.textContent('#done'), /The service account has been created/);
  const service = await dir.authenticate({ service: 'rxc-feed' }, 'rxc-feed-password');
  t.same(service && [...service.feedsFor], ['RXC'], 'a connector for RXC, by keyboard');
});
