/**
 * An answer already serialised as JSON (UTF-8 bytes); routes send it as it is. Graph answers hold thousands of
 * lots whose free-form members (attributes, origin, process) arrive from the database as JSON text: they are
 * written into the answer as they are, not parsed and serialised again. Bytes rather than a string: Fastify
 * then neither measures the length of a megabyte string nor encodes it again on write.
 */
export class JsonText {
  readonly bytes: Buffer;
  constructor(text: string) {
    this.bytes = Buffer.from(text);
  }
}

/** `value` as JSON text, with more members appended whose values are JSON text already. */
export function jsonWithMembers(value: object, members: Record<string, string>): string {
  let text = JSON.stringify(value);
  for (const [key, json] of Object.entries(members)) text = `${text.slice(0, -1)}${text === '{}' ? '' : ','}${JSON.stringify(key)}:${json}}`;
  return text;
}

/** A JSON array of items each written as JSON text by `toJson` (appending to one string measured fastest). */
export function jsonArray<T>(items: T[], toJson: (item: T) => string): string {
  let text = '[';
  items.forEach((item, i) => (text += (i > 0 ? ',' : '') + toJson(item)));
  return `${text}]`;
}
