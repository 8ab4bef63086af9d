// Every phone number a person reads is one tap to call: crisis lines (999, 111, 116 123) and UK
// numbers written the usual ways (020 7946 0999, 07700 900123, +44 7700 900123).

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);

/** UK numbers: the short crisis lines, 116 numbers, and 0… or +44 numbers of 10 or 11 digits with spaces. */
const phoneNumber = /(?<![\d+])(?:999|111|116 ?\d{3}|(?:\+44 ?|0)\d(?:[ -]?\d){8,9})(?![\d])/g;

/** The href for a number: digits only, and a leading + kept. */
export const telHref = (number: string) =>
  `tel:${number.trim().startsWith('+') ? '+' : ''}${number.replace(/\D/g, '')}`;

/** Text made safe for HTML, with each phone number in it made a link to call it. */
export function withPhoneLinks(text: string): string {
  let html = '';
  let from = 0;
  for (const match of text.matchAll(phoneNumber)) {
    const at = match.index ?? 0;
    html += `${escape(text.slice(from, at))}<a href="${telHref(match[0])}" class="app-phone">${escape(match[0])}</a>`;
    from = at + match[0].length;
  }
  return html + escape(text.slice(from));
}
