/* global document */
// Progressive enhancement only: every page works without this file. It marks the page as able to
// run the NHS.UK components' scripts (their template does it in an inline script, which this
// service's Content Security Policy forbids) and starts them.
import { initAll } from '/nhsuk/nhsuk-frontend.min.js';

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');
initAll();
