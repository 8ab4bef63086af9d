import * as OTPAuth from 'otpauth';
import { demoTwoStepKey } from '../../bench/generate.ts';
import { expect, expectPage, signIn, test } from './support.ts';

const codeAt = (time: number) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(demoTwoStepKey), digits: 6, period: 30 }).generate({ timestamp: time });

test('the platform admin signs in with two steps; the same code in another browser is refused', async ({ browser }) => {
  const code = codeAt(Date.now());
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'platform@example.org');
  await expectPage(admin, 'Enter your security code');
  await admin.getByLabel('Security code').fill(code);
  await admin.getByRole('button', { name: 'Continue' }).click();
  await expectPage(admin, 'All communities');

  // Someone who saw the code over their shoulder tries it, within its 30 seconds.
  const other = await (await browser.newContext()).newPage();
  await signIn(other, 'platform@example.org');
  await expectPage(other, 'Enter your security code');
  await other.getByLabel('Security code').fill(code);
  await other.getByRole('button', { name: 'Continue' }).click();
  await expectPage(other, 'Enter your security code');
  await expect(other.getByRole('alert')).toContainText('already used');
});
