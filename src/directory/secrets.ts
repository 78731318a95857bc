// Passwords as salted scrypt hashes; NI numbers and dates of birth as keyed HMACs. Nothing here is
// ever returned by a front end.
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// OWASP's scrypt setting N=2^15, r=8, p=3 (32 MiB and about 0.3 s a hash on this machine kind). The parameters are
// stored in each hash, so they can be raised without invalidating older hashes.
const N = 2 ** 15,
  r = 8,
  p = 3,
  keyLength = 32;

function scryptAsync(password: string, salt: Buffer, n: number, rr: number, pp: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, { N: n, r: rr, p: pp, maxmem: 256 * n * rr + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, r, p);
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    // Spend the same time as a real check, so an unknown name cannot be told from a wrong password.
    await scryptAsync(password, Buffer.alloc(16), N, r, p);
    return false;
  }
  const [, n, rr, pp, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), Number(n), Number(rr), Number(pp));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Identifiers normalised before hashing, so "ab 12 34 56 c" and "AB123456C" are the same person. */
export function identifierHmac(key: string, kind: 'ni' | 'dob', value: string): string {
  const normal = kind === 'ni' ? value.replace(/\s+/g, '').toUpperCase() : value.trim();
  return createHmac('sha256', key).update(`${kind}:${normal}`).digest('base64url');
}

export function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}
