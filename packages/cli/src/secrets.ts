import { redactUrl } from '@stowage/core';

/**
 * Removes secrets from CLI output. URLs are shown through core's `redactUrl`; as a second line
 * of defence every password found in the URLs given is replaced wherever it appears, so an
 * error message that echoes a connection string cannot leak it.
 */
export class Secrets {
  private readonly values = new Set<string>();

  /** Remembers the password of a storage URL, if it has one. */
  addUrl(url: string): void {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^@/]+)@/i.exec(url)?.[1];
    const query = /[?&]password=([^&#]+)/i.exec(url)?.[1];
    for (const raw of [userinfo, query]) {
      if (!raw) continue;
      this.values.add(raw);
      try {
        this.values.add(decodeURIComponent(raw));
      } catch {
        // A malformed escape is kept only in its raw form, which was added above.
      }
    }
  }

  /** Remembers a secret value (an encryption key). */
  add(value: string): void {
    if (value.length >= 4) this.values.add(value);
  }

  /** The text with every known secret replaced by `***`. */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.values) out = out.split(secret).join('***');
    return out;
  }

  /** A URL fit for display. */
  show(url: string): string {
    return this.scrub(redactUrl(url));
  }
}
