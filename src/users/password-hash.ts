import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters. Stored with each hash, so they can be raised later. */
export interface ScryptParams {
  /** CPU/memory cost N, a power of two. */
  readonly cost: number;
  /** Block size r. */
  readonly blockSize: number;
  /** Parallelisation p. */
  readonly parallelization: number;
}

/** N = 2^15, r = 8, p = 1: about 32 MiB and tens of milliseconds per hash (OWASP's scrypt minimum is N = 2^17 with r = 8, p = 1; 2^15 keeps a login fast on a small gateway box). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { cost: 2 ** 15, blockSize: 8, parallelization: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds on parameters read back from the database, so an edited row cannot make a login take minutes. */
const MAX_COST = 2 ** 20;
const MIN_COST = 2 ** 10;

/**
 * Hashes a password: `scrypt$<N>$<r>$<p>$<salt base64>$<key base64>`, random 16-byte salt.
 * The password is NFKC-normalised first so that the same typed characters always match.
 * Asynchronous (libuv thread pool): a login does not stall the gateway's event loop.
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return ['scrypt', params.cost, params.blockSize, params.parallelization, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches `stored`; false for a wrong password or a malformed stored hash. Constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** True when `stored` was made with other parameters than `params` (rehash it after the next good login). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parseStoredHash(stored);
  return (
    !parsed ||
    parsed.params.cost !== params.cost ||
    parsed.params.blockSize !== params.blockSize ||
    parsed.params.parallelization !== params.parallelization
  );
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseStoredHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [cost, blockSize, parallelization] = parts.slice(1, 4).map((p) => (/^\d{1,8}$/.test(p) ? Number(p) : NaN));
  if (cost === undefined || blockSize === undefined || parallelization === undefined) return null;
  const powerOfTwo = Number.isInteger(Math.log2(cost));
  if (!powerOfTwo || cost < MIN_COST || cost > MAX_COST) return null;
  if (!(blockSize >= 1 && blockSize <= 32 && parallelization >= 1 && parallelization <= 16)) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return { params: { cost, blockSize, parallelization }, salt, key };
}

function derive(password: string, salt: Buffer, params: ScryptParams, keyBytes: number): Promise<Buffer> {
  const { cost: N, blockSize: r, parallelization: p } = params;
  const maxmem = 256 * N * r * p + 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyBytes, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
