/** The test run's session secret: the application role's database password is made from it. */
export const testSecret = 'a-test-session-secret-of-at-least-32-characters';
