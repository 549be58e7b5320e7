import { createHash } from 'node:crypto';
import QRCode from 'qrcode';

const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** Most PNGs kept in process: each is a few kB, and rendering one costs ~6 ms of CPU. */
const PNG_CACHE_MAX = 500;
const pngCache = new Map<string, Buffer>();

export async function qrSvg(url: string, size: number): Promise<string> {
  return QRCode.toString(url, { ...OPTIONS, type: 'svg', width: size });
}

export async function qrPng(url: string, size: number): Promise<Buffer> {
  const key = `${size}|${url}`;
  const hit = pngCache.get(key);
  if (hit) {
    // Re-inserted so the Map's insertion order is least recently used first.
    pngCache.delete(key);
    pngCache.set(key, hit);
    return hit;
  }
  const png = await QRCode.toBuffer(url, { ...OPTIONS, type: 'png', width: size });
  if (pngCache.size >= PNG_CACHE_MAX) pngCache.delete(pngCache.keys().next().value!);
  pngCache.set(key, png);
  return png;
}

export const etagOf = (content: string | Buffer) => `"${createHash('sha256').update(content).digest('base64url').slice(0, 27)}"`;
