import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withPhoneLinks } from './phone-links.ts';

const visible = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('phone numbers as links', () => {
  it.each([
    ['Call 999 if someone is in danger.', ['tel:999']],
    ['Call 111 and choose option 2.', ['tel:111']],
    ['Samaritans free on 116 123, day or night.', ['tel:116123']],
    ['Ring 020 7946 0999 or 07700 900123.', ['tel:02079460999', 'tel:07700900123']],
    ['From abroad: +44 7700 900123', ['tel:+447700900123']],
    ['Reference 2345-ABCD, 12 people, year 2026, option 2', []],
  ])('%s', (text, links) => {
    const html = withPhoneLinks(text);
    expect([...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1])).toEqual(links);
    expect(visible(html)).toBe(text);
  });

  it('keeps every text as it was to read, and never lets markup through', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const html = withPhoneLinks(text);
        expect(visible(html)).toBe(text);
        expect(html.replace(/<a href="tel:\+?\d+" class="app-phone">|<\/a>/g, '')).not.toMatch(/[<>"]/);
      }),
    );
  });
});
