import { customAlphabet } from 'nanoid';

// Lowercase letters and digits: safe in URLs, logs and file names. 16 characters ≈ 82 bits: unguessable.
const randomPart = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 16);
// API key secrets: 32 characters of a 62-character alphabet ≈ 190 bits.
const secretPart = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 32);

export type IdPrefix = 'org' | 'key' | 'usr' | 'ses' | 'site' | 'lot' | 'evt' | 'shp' | 'trf' | 'lab' | 'crt' | 'req';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomPart()}`;
}

export function newSecret(): string {
  return secretPart();
}
