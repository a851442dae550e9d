/**
 * A second layer around the passphrase-derived key: Electron's safeStorage (the OS keychain) where it
 * is real, nothing under plain Node. With a real wrapper the wallet can unlock without the passphrase
 * on the machine that wrapped it; the passphrase always works, so losing the keychain never locks funds.
 */

/** Wraps and unwraps small secrets with an OS-held key. */
export interface KeyWrapper {
  /** Recorded in the key file: `none`, or e.g. `safeStorage:gnome_libsecret`. A change forces the passphrase. */
  readonly backend: string;
  /** False when the backend does not protect anything (plain Node, Linux `basic_text`). */
  readonly real: boolean;
  wrap(secret: Uint8Array): Uint8Array;
  unwrap(wrapped: Uint8Array): Uint8Array;
}

/** The wrapper under plain Node (headless): no second layer; every unlock needs the passphrase. */
export const noKeyWrapper: KeyWrapper = {
  backend: 'none',
  real: false,
  wrap() {
    throw new Error('The "none" key wrapper wraps nothing.');
  },
  unwrap() {
    throw new Error('The "none" key wrapper unwraps nothing.');
  },
};
