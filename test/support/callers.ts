import type { FastifyInstance } from 'fastify';
import { Visitor } from './browser-like.ts';
import { fixturePassword } from './fixtures.ts';

/**
 * The three ways an integration test reaches the app as one of the fixture's people: a browser
 * (signed in), a token, and a call with that token. `app` is read when called: the app starts
 * in the file's beforeAll.
 */
export function callers(app: () => FastifyInstance) {
  return {
    async signedIn(email: string): Promise<Visitor> {
      const visitor = new Visitor(app());
      await visitor.signIn(email, fixturePassword);
      return visitor;
    },
    async tokenFor(email: string): Promise<string> {
      const response = await app().inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { email, password: fixturePassword },
      });
      return response.json<{ token: string }>().token;
    },
    call(token: string | null, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) {
      return app().inject({
        method: method as 'GET',
        url,
        payload: payload as object,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      });
    },
  };
}
