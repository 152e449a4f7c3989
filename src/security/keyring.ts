import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../core/errors.js';

/** Encrypted values are stored as text: `enc:v<key version>:<base64url of iv ‖ tag ‖ ciphertext>`. */
const ENVELOPE = /^enc:v(\d+):([A-Za-z0-9_-]+)$/;

interface KeyringFile {
  current: number;
  keys: Record<string, string>;
}

/**
 * Versioned AES-256-GCM keys. They come from CAIRN_ENCRYPTION_KEYS (`2:base64,1:base64`, first is
 * current) or from a key file (`<home>/keys/encryption.json`, mode 0600, or CAIRN_ENCRYPTION_KEY_FILE).
 * Every value names the key version that sealed it, so after a rotation old values still open
 * while they are re-encrypted in the background: no downtime.
 */
export class Keyring {
  private constructor(
    private readonly keys: Map<number, Buffer>,
    private current: number,
    private readonly file: string | null,
  ) {}

  static load(home: string, env: NodeJS.ProcessEnv = process.env): Keyring {
    if (env.CAIRN_ENCRYPTION_KEYS) {
      const keys = new Map<number, Buffer>();
      let current = 0;
      for (const part of env.CAIRN_ENCRYPTION_KEYS.split(',')) {
        const [version, material] = part.trim().split(':');
        const key = Buffer.from(material ?? '', 'base64');
        if (!/^\d+$/.test(version ?? '') || key.length !== 32)
          throw new CairnError(
            'INVALID_ARGUMENT',
            'CAIRN_ENCRYPTION_KEYS must be `version:base64-of-32-bytes` entries separated by commas',
          );
        keys.set(Number(version), key);
        current ||= Number(version);
      }
      return new Keyring(keys, current, null);
    }
    const file = env.CAIRN_ENCRYPTION_KEY_FILE ?? path.join(home, 'keys', 'encryption.json');
    if (!existsSync(file)) return new Keyring(new Map(), 0, file);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyringFile;
    const keys = new Map(Object.entries(parsed.keys).map(([v, k]) => [Number(v), Buffer.from(k, 'base64')]));
    return new Keyring(keys, parsed.current, file);
  }

  get version(): number {
    return this.current;
  }

  /** Adds a fresh key and makes it current (creating the key file on first use). Returns its version. */
  rotate(): number {
    if (!this.file)
      throw new CairnError(
        'INVALID_ARGUMENT',
        'keys come from CAIRN_ENCRYPTION_KEYS; add a new `version:key` in front of the list to rotate',
      );
    const version = Math.max(0, ...this.keys.keys()) + 1;
    this.keys.set(version, randomBytes(32));
    this.current = version;
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const body: KeyringFile = {
      current: version,
      keys: Object.fromEntries([...this.keys].map(([v, k]) => [String(v), k.toString('base64')])),
    };
    writeFileSync(this.file, JSON.stringify(body, null, 2), { mode: 0o600 });
    return version;
  }

  /** Makes sure a current key exists, creating the key file's first key if needed. */
  ensureKey(): number {
    return this.current || this.rotate();
  }

  encrypt(plain: string): string {
    const key = this.keys.get(this.current);
    if (!key)
      throw new CairnError('INVALID_ARGUMENT', 'no encryption key; run `cairn encryption rotate` first');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `enc:v${this.current}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** The plain text of an envelope; values that are not envelopes come back unchanged. */
  decrypt(value: string): string {
    const match = ENVELOPE.exec(value);
    if (!match) return value;
    const key = this.keys.get(Number(match[1]));
    if (!key)
      throw new CairnError(
        'INVALID_ARGUMENT',
        `value sealed with key version ${match[1]}, which the keyring lacks`,
      );
    const raw = Buffer.from(match[2], 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** The key version that sealed a value, or null for plain text. */
  static versionOf(value: string): number | null {
    const match = ENVELOPE.exec(value);
    return match ? Number(match[1]) : null;
  }
}
