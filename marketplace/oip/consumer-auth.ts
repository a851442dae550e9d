/**
 * Consumer API keys: `Authorization: Bearer KEY`. Keys are compared as sha256 digests with
 * timingSafeEqual against every configured key (no early exit), so neither a key's length nor how much
 * of it matched shows in the response time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Shortest consumer key accepted, so a key cannot be guessed online. */
export const MIN_CONSUMER_KEY_LENGTH = 16;

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Why a consumer key cannot be used, or null when it can. */
export function consumerKeyProblem(key: string): string | null {
  if (key.length < MIN_CONSUMER_KEY_LENGTH) return `A consumer key needs at least ${MIN_CONSUMER_KEY_LENGTH} characters.`;
  if (!/^[\x21-\x7e]+$/.test(key)) return 'A consumer key is printable ASCII without spaces (it travels in an Authorization header).';
  return null;
}

/** A check of `Authorization` headers against the consumer keys. */
export function consumerAuth(keys: readonly string[]): (authorization: string | undefined) => boolean {
  if (keys.length === 0) throw new Error('At least one consumer key is needed (--consumer-key or HEARTH_CONSUMER_KEY).');
  for (const key of keys) {
    const problem = consumerKeyProblem(key);
    if (problem !== null) throw new Error(problem);
  }
  const digests = keys.map(digest);
  return (authorization) => {
    const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization ?? '');
    if (!match) return false;
    const presented = digest(match[1]!);
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(presented, known) || ok;
    return ok;
  };
}
