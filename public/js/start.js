// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/js/nhsuk-frontend.min.js';

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');
initAll();

// A "Print" button on printable pages (hidden until this script runs: without it, the browser's own menu prints).
for (const button of document.querySelectorAll('[data-app-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
