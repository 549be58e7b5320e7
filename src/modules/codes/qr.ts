import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import QRCode from 'qrcode';

const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/**
 * Most PNGs kept in process, least recently used out first: each is a few kB (320 pixels ≈ 2.5 kB, 2048 ≈ 22 kB),
 * and rendering one costs ~6 ms of CPU.
 */
const PNG_CACHE_MAX = 500;
const pngCache = new LRUCache<string, Buffer>({ max: PNG_CACHE_MAX });

export async function qrSvg(url: string, size: number): Promise<string> {
  return QRCode.toString(url, { ...OPTIONS, type: 'svg', width: size });
}

export async function qrPng(url: string, size: number): Promise<Buffer> {
  const key = `${size}|${url}`;
  const hit = pngCache.get(key);
  if (hit) return hit;
  const png = await QRCode.toBuffer(url, { ...OPTIONS, type: 'png', width: size });
  pngCache.set(key, png);
  return png;
}

export const etagOf = (content: string | Buffer) => `"${createHash('sha256').update(content).digest('base64url').slice(0, 27)}"`;
