// Starts bench/demo-server.ts as its own process for a benchmark, and waits until it is ready.
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../src/platform/db/bundled-postgres.ts';

export async function startDemoServer(environment: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
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
