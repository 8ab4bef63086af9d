// The current two-step sign-in code of the demo platform admin (platform@example.org), as an
// authenticator app holding the demo's published key would show it. Demo data only.
import * as OTPAuth from 'otpauth';
import { demoTwoStepKey } from '../src/demo/sign-ins.ts';

const totp = new OTPAuth.TOTP({
  secret: OTPAuth.Secret.fromBase32(demoTwoStepKey),
  digits: 6,
  period: 30,
  algorithm: 'SHA1',
});
const secondsLeft = 30 - (Math.floor(Date.now() / 1000) % 30);
process.stdout.write(
  `${totp.generate()}  (platform@example.org; a new code in ${secondsLeft} s; each code works once)\n`,
);
