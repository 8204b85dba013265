/** Where screenshots and the server log of a run go (gitignored). */
export const ARTIFACTS = "test-results/e2e";

/** The admin the global setup creates with `npm run createsuperuser`. */
export const ADMIN = { username: "e2e_admin", password: "e2e-admin-Passw0rd" };
