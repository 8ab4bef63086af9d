// `npm run bench:first-load`: what a phone downloads to show a page, measured in Chromium as bytes
// on the wire (compressed, headers included, from the DevTools protocol), on the sign-in page and
// a member's home with an empty cache, then a member's home again with the browser's cache
// (fingerprinted files are kept a year, so only the page itself comes over the network).
import { type BrowserContext, chromium } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startDemoServer } from './demo-process.ts';
import { signInOverHttp } from './sign-in.ts';
import { chromiumPath } from '../scripts/ensure-chromium.ts';
import { demoPassword } from '../src/demo/sign-ins.ts';

interface Load {
  page: string;
  requests: number;
  fromNetwork: number;
  bytes: number;
  files: string;
}

/** Loads `url` in the context's page and adds up what each request brought over the network. */
async function load(context: BrowserContext, name: string, url: string): Promise<Load> {
  const page = context.pages()[0] ?? (await context.newPage());
  const devtools = await context.newCDPSession(page);
  await devtools.send('Network.enable');
  const requests = new Map<string, string>();
  const cached = new Set<string>();
  const bytes = new Map<string, number>();
  devtools.on('Network.requestWillBeSent', (event) => requests.set(event.requestId, event.request.url));
  devtools.on('Network.requestServedFromCache', (event) => cached.add(event.requestId));
  devtools.on('Network.loadingFinished', (event) => bytes.set(event.requestId, event.encodedDataLength));
  await page.goto(url, { waitUntil: 'networkidle' });
  await devtools.detach();
  const overNetwork = [...requests.keys()].filter((id) => !cached.has(id) && (bytes.get(id) ?? 0) > 0);
  return {
    page: name,
    requests: requests.size,
    fromNetwork: overNetwork.length,
    bytes: overNetwork.reduce((sum, id) => sum + (bytes.get(id) ?? 0), 0),
    files: overNetwork
      .map(
        (id) =>
          `${new URL(requests.get(id) ?? '').pathname.replace(/\/[0-9a-f]{12}\//, '/…/')} ${(bytes.get(id) ?? 0).toLocaleString('en-GB')}`,
      )
      .join('; '),
  };
}

const { child, base } = await startDemoServer({});
const rows: Load[] = [];
try {
  const browser = await chromium.launch({ executablePath: chromiumPath });
  const visitor = await browser.newContext({ viewport: { width: 375, height: 800 } });
  rows.push(await load(visitor, 'sign-in page, empty cache', `${base}/sign-in`));
  await visitor.close();

  const cookie = await signInOverHttp(base, 'member@example.org', demoPassword);
  const [cookieName = '', cookieValue = ''] = cookie.split('=');
  const member = await browser.newContext({ viewport: { width: 375, height: 800 } });
  await member.addCookies([{ name: cookieName, value: cookieValue, url: base }]);
  rows.push(await load(member, 'member’s home (`/c/lambeth`), empty cache', `${base}/c/lambeth`));
  rows.push(await load(member, 'member’s home again, cache kept', `${base}/c/lambeth`));
  await browser.close();
} finally {
  child.kill('SIGTERM');
}

const lines = [
  'Chromium at 375 px, bytes over the network (compressed bodies and headers):',
  '',
  '| page | requests | over the network | bytes | what came (bytes) |',
  '| --- | ---: | ---: | ---: | --- |',
  ...rows.map(
    (row) =>
      `| ${row.page} | ${row.requests} | ${row.fromNetwork} | ${row.bytes.toLocaleString('en-GB')} | ${row.files} |`,
  ),
  '',
  'Target (issue 14): a first load of at most 60 KB compressed.',
];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/first-load.md', `${lines.join('\n')}\n`);
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit(0);
