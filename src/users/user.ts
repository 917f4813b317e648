import { VigilError } from '../core/errors.js';

/**
 * Roles (docs/audit-and-users.md): `nurse` watches beds, acknowledges alarms and
 * double-checks orders; `physician` also orders and confirms pump changes; `admin`
 * manages users and configuration. What each role may do is enforced by the
 * workflow that needs it (e.g. src/control), not here.
 */
export const USER_ROLES = ['nurse', 'physician', 'admin'] as const;

export type UserRole = (typeof USER_ROLES)[number];

/** A user as the rest of Vigil sees it. No password material. */
export interface User {
  readonly id: number;
  /** Lower-case, unique. */
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  readonly disabled: boolean;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms, null while enabled. */
  readonly disabledAt: number | null;
}

/** Minimum password length in characters (NIST SP 800-63B asks for at least 8). */
export const MIN_PASSWORD_LENGTH = 10;
/** Maximum, so nobody can make the gateway hash megabytes. */
export const MAX_PASSWORD_LENGTH = 256;

const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,31}$/;
const DISPLAY_NAME_MAX = 100;

export function isUserRole(value: string): value is UserRole {
  return (USER_ROLES as readonly string[]).includes(value);
}

/**
 * Normalises a username for storage and lookup: trimmed, lower-case.
 * Usernames are ASCII (letters, digits, `.`, `_`, `-`; 2-32 characters), so
 * case-insensitive uniqueness holds exactly.
 * @throws VigilError USER_INVALID
 */
export function normalizeUsername(username: string): string {
  const normalized = username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(normalized)) {
    throw new VigilError(
      'USER_INVALID',
      'username must be 2-32 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
      { field: 'username', username },
    );
  }
  return normalized;
}

/** @throws VigilError USER_INVALID when empty, too long or containing control characters. */
export function normalizeDisplayName(displayName: string): string {
  const trimmed = displayName.trim();
  if (trimmed.length === 0 || trimmed.length > DISPLAY_NAME_MAX || /\p{Cc}/u.test(trimmed)) {
    throw new VigilError('USER_INVALID', `display name must be 1-${DISPLAY_NAME_MAX} printable characters`, {
      field: 'displayName',
    });
  }
  return trimmed;
}

/** @throws VigilError USER_INVALID when the role is not nurse, physician or admin. */
export function checkRole(role: string): UserRole {
  if (!isUserRole(role)) {
    throw new VigilError('USER_INVALID', `role must be one of ${USER_ROLES.join(', ')}`, { field: 'role', role });
  }
  return role;
}

/** @throws VigilError USER_INVALID when shorter than `minLength` or longer than MAX_PASSWORD_LENGTH. */
export function checkPassword(password: string, minLength = MIN_PASSWORD_LENGTH): void {
  const length = [...password].length;
  if (length < minLength) {
    throw new VigilError('USER_INVALID', `password must be at least ${minLength} characters`, {
      field: 'password',
      minLength,
    });
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new VigilError('USER_INVALID', `password must be at most ${MAX_PASSWORD_LENGTH} characters`, {
      field: 'password',
      maxLength: MAX_PASSWORD_LENGTH,
    });
  }
}
