/**
 * An answer already serialised as JSON (UTF-8 bytes); routes send it as it is. Graph answers hold thousands of
 * lots whose free-form members (attributes, origin, process) arrive from the database as JSON text: they are
 * written into the answer as they are, not parsed and serialised again. Bytes rather than a string: Fastify
 * then neither measures the length of a megabyte string nor encodes it again on write.
 */
export class JsonText {
  constructor(readonly bytes: Buffer) {}
}

/**
 * `value` as JSON with more members appended whose values are JSON text already, as bytes. Each piece is encoded
 * on its own: joined first, one Chinese name in `value` would make the whole megabyte a two-byte string.
 */
export function jsonWithMembers(value: object, members: Record<string, string>): JsonText {
  const head = JSON.stringify(value);
  const pieces: string[] = [head.slice(0, -1)];
  Object.entries(members).forEach(([key, json], i) => pieces.push(`${i > 0 || head !== '{}' ? ',' : ''}${JSON.stringify(key)}:`, json));
  pieces.push('}');
  return new JsonText(Buffer.concat(pieces.map((p) => Buffer.from(p))));
}

/** A JSON array of items each written as JSON text by `toJson` (appending to one string measured fastest). */
export function jsonArray<T>(items: T[], toJson: (item: T) => string): string {
  let text = '[';
  items.forEach((item, i) => (text += (i > 0 ? ',' : '') + toJson(item)));
  return `${text}]`;
}
