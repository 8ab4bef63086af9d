// Starts bench/demo-server.ts as its own process for a benchmark, and waits until it is ready.
import { type ChildProcess, spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { freePort } from '../src/platform/db/bundled-postgres.ts';

export async function startDemoServer(
  environment: Record<string, string>,
): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/demo-server.ts'], {
    env: { ...process.env, ...environment, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(`  ${text}`);
      if (text.includes('ready on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the demo server stopped (${code})`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

export interface Measured {
  target: string;
  requestsPerSecond: number;
  p99: number;
  errors: number;
}

/** One route under load: a short warm-up (first compiled templates and cold caches do not count), then `connections` for `seconds`. */
export async function measure(
  target: string,
  options: autocannon.Options,
  load: { connections: number; seconds: number },
): Promise<Measured> {
  await autocannon({ ...options, connections: 10, duration: 2 });
  const result = await autocannon({ ...options, connections: load.connections, duration: load.seconds });
  const measured = {
    target,
    requestsPerSecond: Math.round(result.requests.average),
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
  process.stdout.write(
    `  ${target}: ${measured.requestsPerSecond} req/s, p99 ${measured.p99} ms, ${measured.errors} errors\n`,
  );
  return measured;
}

/** A personal access token for a demo account, for the API's rows. */
export async function apiTokenFor(base: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name: 'bench' }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** The results as a Markdown table, each row against the first (the floor). */
export function resultTable(rows: readonly Measured[]): string[] {
  const floor = rows[0];
  return [
    '| route | req/s | % of floor | p99 (ms) | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.target} | ${row.requestsPerSecond} | ${floor ? Math.round((100 * row.requestsPerSecond) / floor.requestsPerSecond) : 0}% | ${row.p99} | ${row.errors} |`,
    ),
  ];
}

/** The generated peer group's latest past meeting, read through the API: the register a benchmark takes. */
export async function latestMeetingOfGeneratedGroup(
  base: string,
  token: string,
): Promise<{ id: string; came: number }> {
  const api = (path: string) =>
    fetch(`${base}/api/v1/communities/generated${path}`, { headers: { authorization: `Bearer ${token}` } }).then(
      (response) => response.json(),
    );
  const groups = (await api('/groups')) as { items: { id: string }[] };
  const meetings = (await api(`/groups/${groups.items[0]?.id}/meetings?when=past&limit=1`)) as {
    items: { id: string; came: number }[];
  };
  const meeting = meetings.items[0];
  if (!meeting) throw new Error('no meeting to take the register of');
  return meeting;
}
