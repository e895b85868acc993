import { avatar, el } from "./dom.js";
import { describeError } from "./protocol.js";
import type { TimelineItem } from "./room-state.js";

/** Consecutive messages from one person closer together than this share one header, in ms. */
export const groupGapMs = 5 * 60 * 1000;

interface Row {
  node: HTMLLIElement;
  sig: string;
}

/** What a row shows, derived from a timeline item and its neighbour. */
interface RowModel {
  key: string;
  sig: string;
  build(node: HTMLLIElement): void;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });

function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

function dayLabel(ms: number, nowMs: number): string {
  const key = dayKey(ms);
  if (key === dayKey(nowMs)) return "Today";
  if (key === dayKey(nowMs - 86_400_000)) return "Yesterday";
  return dayFormat.format(ms);
}

function itemAuthorAndTime(item: TimelineItem, me: string): { author: string; ms: number } | null {
  if (item.kind === "message") return { author: item.message.nickname, ms: item.message.ts };
  if (item.kind === "pending") return { author: me, ms: item.pending.sentAtMs };
  return null;
}

function statusText(status: string, error: string): string {
  if (status === "pending") return "Sending…";
  if (status === "failed") return error;
  return "✓";
}

function buildMessageRow(node: HTMLLIElement, item: TimelineItem, grouped: boolean, me: string): void {
  const own = item.kind === "pending" || (item.kind === "message" && item.own);
  const author = item.kind === "message" ? item.message.nickname : me;
  const text = item.kind === "message" ? item.message.text : item.kind === "pending" ? item.pending.text : "";
  const status = item.kind === "pending" ? item.pending.status : "delivered";
  const error = item.kind === "pending" && item.pending.error ? describeError(item.pending.error) : "";
  node.className = `msg${own ? " own" : ""}${grouped ? " grouped" : ""}`;
  node.dataset.status = status;
  node.dataset.author = author;
  if (item.kind === "message") node.dataset.id = String(item.message.id);
  else delete node.dataset.id;
  if (!own) node.append(grouped ? el("span", "avatar-space") : avatar(author));
  const body = el("div", "msg-body");
  if (!grouped) {
    const meta = el("div", "msg-meta");
    meta.append(el("span", "msg-author", own ? "You" : author));
    if (item.kind === "message") {
      const time = el("time", "msg-time", timeFormat.format(item.message.ts));
      time.dateTime = new Date(item.message.ts).toISOString();
      time.title = fullFormat.format(item.message.ts);
      meta.append(time);
    }
    body.append(meta);
  }
  const bubble = el("div", "bubble");
  bubble.append(el("p", "msg-text", text));
  body.append(bubble);
  if (own) {
    const line = el("div", "msg-status");
    const label = el("span", "msg-status-text", statusText(status, error));
    if (status === "delivered") {
      label.setAttribute("aria-label", "delivered");
      label.title = "Delivered";
    }
    line.append(label);
    if (item.kind === "pending" && status === "failed") {
      const retry = el("button", "link", "Retry");
      retry.type = "button";
      retry.dataset.action = "retry";
      retry.dataset.clientId = item.pending.clientId;
      const discard = el("button", "link", "Discard");
      discard.type = "button";
      discard.dataset.action = "discard";
      discard.dataset.clientId = item.pending.clientId;
      line.append(retry, discard);
    }
    body.append(line);
  }
  node.append(body);
}

function rowModels(items: readonly TimelineItem[], me: string, nowMs: number): RowModel[] {
  const rows: RowModel[] = [];
  let previous: { author: string; ms: number } | null = null;
  let lastDay = "";
  for (const item of items) {
    if (item.kind === "notice") {
      rows.push({ key: item.key, sig: "notice", build: (node) => noticeRow(node, item.text) });
      previous = null;
      continue;
    }
    const at = itemAuthorAndTime(item, me)!;
    const day = dayKey(at.ms);
    if (day !== lastDay && item.kind === "message") {
      lastDay = day;
      const label = dayLabel(at.ms, nowMs);
      rows.push({ key: `d:${day}`, sig: `day|${label}`, build: (node) => dayRow(node, label) });
      previous = null;
    }
    const grouped = previous !== null && previous.author === at.author && at.ms - previous.ms < groupGapMs;
    const status = item.kind === "pending" ? `${item.pending.status}|${item.pending.error?.code ?? ""}` : "delivered";
    rows.push({
      key: item.key,
      sig: `msg|${grouped}|${status}`,
      build: (node) => buildMessageRow(node, item, grouped, me),
    });
    previous = at;
  }
  return rows;
}

function noticeRow(node: HTMLLIElement, text: string): void {
  node.className = "notice";
  node.append(el("span", "", text));
}

function dayRow(node: HTMLLIElement, label: string): void {
  node.className = "day";
  node.append(el("span", "", label));
}

/**
 * Renders a room's timeline into an `<ol>`, reusing each row by its stable key so that an own
 * message keeps its element from "pending" to "delivered" and scroll position is not disturbed.
 */
export class MessageView {
  private readonly list: HTMLOListElement;
  private rows = new Map<string, Row>();

  constructor(list: HTMLOListElement) {
    this.list = list;
  }

  /** Replaces the list's content with `items` (changed rows are rebuilt, others kept). */
  render(items: readonly TimelineItem[], me: string, nowMs: number): void {
    const next = new Map<string, Row>();
    let cursor: ChildNode | null = this.list.firstChild;
    for (const model of rowModels(items, me, nowMs)) {
      let row = this.rows.get(model.key);
      if (!row) {
        const node = el("li");
        node.dataset.key = model.key;
        row = { node, sig: "" };
      }
      if (row.sig !== model.sig) {
        row.node.replaceChildren();
        model.build(row.node);
        row.sig = model.sig;
      }
      next.set(model.key, row);
      if (cursor === row.node) cursor = cursor.nextSibling;
      else this.list.insertBefore(row.node, cursor);
    }
    for (const [key, row] of this.rows) if (!next.has(key)) row.node.remove();
    this.rows = next;
  }

  /** Empties the list (when switching rooms). */
  clear(): void {
    this.list.replaceChildren();
    this.rows.clear();
  }
}
