import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoPassword, demoSignInTable, demoSignInText, demoSignIns } from './sign-ins.ts';

describe('the demo sign-ins', () => {
  it('are the same in the README as the server prints', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(demoSignInTable());
    expect(readme).toContain(`password \`${demoPassword}\``);
    for (const signIn of demoSignIns) expect(demoSignInText()).toContain(signIn.email);
  });
});
