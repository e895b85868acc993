/**
 * Binary attachments and their placeholders. Binary values in the data of an EVENT or ACK travel
 * as separate Engine.IO binary messages; in the JSON they are replaced by
 * `{"_placeholder":true,"num":N}`, N being the attachment's index.
 *
 * Spec: https://github.com/socketio/socket.io-protocol#packet-encoding
 *
 * ```
 * ["baz", <01 02>, {"x": <03 04>}]
 *   ──► 52-["baz",{"_placeholder":true,"num":0},{"x":{"_placeholder":true,"num":1}}]
 *       + <01 02> + <03 04>
 * ```
 */
import { SocketIoCodecError } from "./errors.js";

/** True for the values that travel as attachments: ArrayBuffers and their views (Buffers, typed arrays, DataViews). */
export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** The bytes of a binary value as a Uint8Array, without copying (Uint8Arrays, Buffers included, pass through). */
export function toBytes(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Replaces every binary value inside `data` with a placeholder, appending its bytes to
 * `attachments` in order (depth first, as the reference). Returns `data` itself when it holds no
 * binary, so the common case copies nothing; otherwise returns a copy (the input is not modified).
 * Objects with a `toJSON` method are walked through its result, as JSON.stringify would see them.
 * @throws SocketIoCodecError `invalid_payload` for circular data.
 */
export function deconstruct(data: unknown, attachments: Uint8Array[]): unknown {
  return walk(data, attachments, new Set(), "");
}

function walk(value: unknown, attachments: Uint8Array[], ancestors: Set<object>, key: string): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (isBinary(value)) {
    attachments.push(toBytes(value));
    return { _placeholder: true, num: attachments.length - 1 };
  }
  if (ancestors.has(value)) throw new SocketIoCodecError("invalid_payload", "cannot encode circular data");
  ancestors.add(value);
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    const json: unknown = typeof toJSON === "function" ? toJSON.call(value, key) : value;
    if (json !== value) {
      // Keep the original when its JSON form holds no binary: JSON.stringify will call toJSON.
      const before = attachments.length;
      const replaced = walk(json, attachments, ancestors, key);
      return attachments.length === before ? value : replaced;
    }
    return Array.isArray(value) ? walkArray(value, attachments, ancestors) : walkObject(value, attachments, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function walkArray(value: readonly unknown[], attachments: Uint8Array[], ancestors: Set<object>): unknown {
  let copy: unknown[] | null = null;
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    const walked = walk(item, attachments, ancestors, String(i));
    if (walked !== item) {
      copy ??= value.slice();
      copy[i] = walked;
    }
  }
  return copy ?? value;
}

function walkObject(value: object, attachments: Uint8Array[], ancestors: Set<object>): unknown {
  let copy: Record<string, unknown> | null = null;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const key of keys) {
    const item = record[key];
    const walked = walk(item, attachments, ancestors, key);
    if (walked !== item && copy === null) {
      copy = {};
      for (const earlier of keys) {
        if (earlier === key) break;
        setOwn(copy, earlier, record[earlier]);
      }
    }
    if (copy !== null) setOwn(copy, key, walked);
  }
  return copy ?? value;
}

/** Where one placeholder sits in decoded data, to be replaced by attachment `num`. */
export interface PlaceholderSlot {
  /** The array or object holding the placeholder. */
  readonly container: object;
  /** Its index or key in the container. */
  readonly key: string;
  /** Index of the attachment that replaces it. */
  readonly num: number;
}

/**
 * Finds every placeholder in decoded JSON `data` (iteratively: depth is not bounded by the call
 * stack) and checks them against `attachmentCount` before any attachment arrives: each `num` must
 * be an integer in range, and each attachment must be referenced at least once.
 * @throws SocketIoCodecError `attachment_mismatch`.
 */
export function findPlaceholders(data: unknown, attachmentCount: number): PlaceholderSlot[] {
  const slots: PlaceholderSlot[] = [];
  const referenced = new Uint8Array(attachmentCount);
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const container = stack.pop();
    if (typeof container !== "object" || container === null) continue;
    const record = container as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item !== "object" || item === null) continue;
      const num = (item as { _placeholder?: unknown; num?: unknown }).num;
      if ((item as { _placeholder?: unknown })._placeholder !== true || Array.isArray(item)) {
        stack.push(item);
      } else if (Number.isInteger(num) && (num as number) >= 0 && (num as number) < attachmentCount) {
        referenced[num as number] = 1;
        slots.push({ container, key, num: num as number });
      } else {
        throw new SocketIoCodecError(
          "attachment_mismatch",
          `placeholder index ${JSON.stringify(num) ?? "undefined"} is not an integer in [0, ${attachmentCount})`,
        );
      }
    }
  }
  const missing = referenced.indexOf(0);
  if (missing !== -1) {
    throw new SocketIoCodecError(
      "attachment_mismatch",
      `attachment ${missing} is announced but no placeholder uses it`,
    );
  }
  return slots;
}

/** Puts each attachment where its placeholders were (in place). */
export function fillPlaceholders(slots: readonly PlaceholderSlot[], attachments: readonly Uint8Array[]): void {
  for (const slot of slots) setOwn(slot.container, slot.key, attachments[slot.num]);
}

/**
 * Sets an own data property. Plain assignment to a key named `__proto__` would replace the
 * object's prototype instead of adding a key (JSON.parse itself makes such keys own properties).
 */
function setOwn(target: object, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    (target as Record<string, unknown>)[key] = value;
  }
}
