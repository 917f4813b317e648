import type { Logger } from '../core/logger.js';
import type { UserStore } from '../users/user-store.js';

/**
 * DEMO ONLY (config `demoUsers: true`): the users the README documents, so anyone can
 * try the rate-change workflow on the simulators. Never enable on a clinical system.
 */
export const DEMO_USERS = [
  { username: 'ana', displayName: 'Ana Silva (demo nurse)', role: 'nurse', password: 'demo-nurse-ana' },
  { username: 'ben', displayName: 'Ben Okafor (demo nurse)', role: 'nurse', password: 'demo-nurse-ben' },
  { username: 'dr.cho', displayName: 'Dr Min Cho (demo physician)', role: 'physician', password: 'demo-physician-cho' },
] as const;

/** Adds the demo users that do not exist yet. */
export async function ensureDemoUsers(users: UserStore, logger: Logger): Promise<void> {
  for (const demo of DEMO_USERS) {
    if (users.findByUsername(demo.username)) continue;
    await users.add(demo, 'system');
    logger.warn({ username: demo.username, role: demo.role }, 'DEMO user created (demoUsers: true in the configuration)');
  }
}
