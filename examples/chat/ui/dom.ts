/**
 * Tiny DOM helpers. User-supplied text only ever reaches the page through `textContent`, never
 * through `innerHTML`, so a message such as `<img src=x onerror=...>` shows as text.
 */

/** Creates an element with an optional class list and text (set with `textContent`). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Looks up an element by id, throwing a clear error when the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`chat ui: missing #${id} in index.html`);
  return node as T;
}

/** A stable hue (0–359) for a nickname, so each person keeps one avatar colour. */
export function hueFor(nickname: string): number {
  let hash = 0;
  for (let i = 0; i < nickname.length; i++) hash = (hash * 31 + nickname.charCodeAt(i)) >>> 0;
  return hash % 360;
}

/** A round avatar with the nickname's first letter on its colour. */
export function avatar(nickname: string): HTMLElement {
  const node = el("span", "avatar", [...nickname][0]?.toUpperCase() ?? "?");
  node.style.setProperty("--hue", String(hueFor(nickname)));
  node.setAttribute("aria-hidden", "true");
  return node;
}
