import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import * as OTPAuth from 'otpauth';
import { fixtureTwoStepKeys } from './fixtures.ts';

/** The code an authenticator app would show at `time` for a base32 key. */
export function codeAt(key: string, time = Date.now()): string {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(key),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  }).generate({ timestamp: time });
}

/**
 * A cookie-keeping client over `app.inject`, for integration tests that act like a browser:
 * it keeps the session cookie and reads each form's CSRF token from the page.
 */
export class Visitor {
  private cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now()))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  get sessionCookie(): string | undefined {
    return this.cookies.get('coproduce_session');
  }

  async request(
    method: string,
    url: string,
    options: { form?: Record<string, string | string[]>; json?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { cookie: this.cookieHeader(), ...options.headers };
    let payload: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const body = new URLSearchParams();
      for (const [name, value] of Object.entries(options.form))
        for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
      payload = body.toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.json);
    }
    return this.keep(await this.app.inject({ method: method as 'GET', url, headers, payload }));
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, { headers });
  }

  /** The CSRF token of the form on a page. */
  async csrfFrom(url: string): Promise<string> {
    const page = await this.get(url);
    const match = /name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!match?.[1]) throw new Error(`no CSRF token on ${url} (status ${page.statusCode})`);
    return match[1];
  }

  /** Submits a form the way a browser does: the token comes from the page the form is on. */
  async submit(pageUrl: string, action: string, fields: Record<string, string | string[]>) {
    const token = await this.csrfFrom(pageUrl);
    return this.request('POST', action, { form: { ...fields, _csrf: token } });
  }

  /** Signs in; an account with two-step sign-in (a key in `fixtureTwoStepKeys`) types its code. */
  async signIn(email: string, password: string) {
    const response = await this.submit('/sign-in', '/sign-in', { email, password });
    if (response.statusCode !== 302) throw new Error(`sign-in as ${email} answered ${response.statusCode}`);
    if (response.headers.location !== '/sign-in/two-factor') return response;
    const key = fixtureTwoStepKeys[email];
    if (!key) throw new Error(`${email} signs in with two steps and the fixture has no key for it`);
    // A code is accepted once: a second sign-in within its 30 seconds uses the next step's code (clock drift allows it).
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const code = codeAt(key, Date.now() + (attempt === 0 ? 0 : 30_000));
      const answered = await this.submit('/sign-in/two-factor', '/sign-in/two-factor', { code });
      if (answered.statusCode === 302) return answered;
      if (attempt === 1) await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 100));
    }
    throw new Error(`two-step sign-in as ${email} was refused`);
  }
}
