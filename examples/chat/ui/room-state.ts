import type { AckError, Message } from "./protocol.js";

/** Most messages kept per room while new ones arrive; older ones are dropped and can be reloaded. */
export const roomMessagesMax = 2000;
/** Most join/leave notices kept per room. */
export const roomNoticesMax = 200;
/** How long a typing indicator stays up without a refresh from the server, in ms. */
export const typingExpiryMs = 6000;

/** One of the user's own messages that the server has not acknowledged. */
export interface PendingMessage {
  clientId: string;
  text: string;
  /** `pending`: sent or queued, waiting for the ack; `failed`: the ack carried an error. */
  status: "pending" | "failed";
  error: AckError | null;
  /** Local wall clock when it was first sent, in ms. */
  sentAtMs: number;
}

/** A line of the room's timeline, in display order; `key` is stable across status changes. */
export type TimelineItem =
  | { kind: "message"; key: string; message: Message; own: boolean }
  | { kind: "pending"; key: string; pending: PendingMessage }
  | { kind: "notice"; key: string; text: string };

interface Notice {
  seq: number;
  afterId: number;
  text: string;
}

/**
 * Everything the UI knows about one joined room: messages merged by id (never duplicated, kept in
 * id order), own messages waiting for their ack, join/leave notices, members and who is typing.
 * Pure data: no DOM, no socket, so it is testable in Node.
 */
export class RoomState {
  readonly name: string;
  members: string[] = [];
  /** Whether older history exists on the server before the first message held here. */
  hasMoreBefore = false;
  loadingOlder = false;
  unread = 0;
  private readonly byId = new Map<number, Message>();
  private ids: number[] = [];
  private readonly pendingById = new Map<string, PendingMessage>();
  private notices: Notice[] = [];
  private noticeSeq = 0;
  private readonly typingUntil = new Map<string, number>();

  constructor(name: string) {
    this.name = name;
  }

  /** The highest message id held, or `undefined` when none (used as `sinceId` on rejoin). */
  get lastId(): number | undefined {
    return this.ids.length > 0 ? this.ids[this.ids.length - 1] : undefined;
  }

  /** The lowest message id held (used as `beforeId` for older history). */
  get firstId(): number | undefined {
    return this.ids[0];
  }

  /** Number of stored messages held. */
  get messageCount(): number {
    return this.ids.length;
  }

  /** The user's unacknowledged messages, in the order they were sent. */
  get pending(): PendingMessage[] {
    return [...this.pendingById.values()];
  }

  /**
   * Merges stored messages (from a join, history page or live event), skipping ids already held.
   * An own message whose clientId is pending settles that pending entry. Returns how many were new.
   */
  addMessages(messages: readonly Message[], me: string): number {
    let added = 0;
    let outOfOrder = false;
    for (const message of messages) {
      if (message.nickname === me) this.pendingById.delete(message.clientId);
      if (this.byId.has(message.id)) continue;
      this.byId.set(message.id, message);
      const last = this.lastId;
      if (last !== undefined && message.id < last) outOfOrder = true;
      this.ids.push(message.id);
      added++;
    }
    if (outOfOrder) this.ids.sort((a, b) => a - b);
    if (this.ids.length > roomMessagesMax) {
      for (const id of this.ids.splice(0, this.ids.length - roomMessagesMax)) this.byId.delete(id);
      this.hasMoreBefore = true;
    }
    return added;
  }

  /** Records an own message as sent and waiting for its ack (or re-marks a failed one as pending). */
  markPending(clientId: string, text: string, nowMs: number): void {
    const existing = this.pendingById.get(clientId);
    if (existing) {
      existing.status = "pending";
      existing.error = null;
      return;
    }
    this.pendingById.set(clientId, { clientId, text, status: "pending", error: null, sentAtMs: nowMs });
  }

  /** Marks a pending message as failed with the ack's error (it keeps its clientId for a retry). */
  markFailed(clientId: string, error: AckError): void {
    const pending = this.pendingById.get(clientId);
    if (!pending) return;
    pending.status = "failed";
    pending.error = error;
  }

  /** Looks up one unacknowledged message. */
  pendingFor(clientId: string): PendingMessage | undefined {
    return this.pendingById.get(clientId);
  }

  /** Drops a failed message the user gave up on. */
  discard(clientId: string): void {
    this.pendingById.delete(clientId);
  }

  /** Adds a join/leave notice placed after the newest message held now. */
  addNotice(text: string): void {
    this.notices.push({ seq: this.noticeSeq++, afterId: this.lastId ?? 0, text });
    if (this.notices.length > roomNoticesMax) this.notices.shift();
  }

  /** Forgets all messages and notices (before refilling after a gap too large to merge). */
  clearMessages(): void {
    this.byId.clear();
    this.ids = [];
    this.notices = [];
  }

  /** Records that `nickname` started (`typing`) or stopped typing, seen at `nowMs`. */
  setTyping(nickname: string, typing: boolean, nowMs: number): void {
    if (typing) this.typingUntil.set(nickname, nowMs + typingExpiryMs);
    else this.typingUntil.delete(nickname);
  }

  /** Who is typing at `nowMs`, excluding `me`, in the order they started. */
  typingAt(nowMs: number, me: string): string[] {
    const names: string[] = [];
    for (const [nickname, until] of this.typingUntil) {
      if (until <= nowMs) this.typingUntil.delete(nickname);
      else if (nickname !== me && this.members.includes(nickname)) names.push(nickname);
    }
    return names;
  }

  /** The timeline in display order: messages by id with notices interleaved, then pending ones. */
  timeline(me: string): TimelineItem[] {
    const items: TimelineItem[] = [];
    let n = 0;
    const firstId = this.firstId ?? Infinity;
    while (n < this.notices.length && this.notices[n]!.afterId < firstId) items.push(this.noticeItem(n++));
    for (const id of this.ids) {
      const message = this.byId.get(id)!;
      const own = message.nickname === me;
      const key = own && message.clientId ? `c:${message.clientId}` : `m:${id}`;
      items.push({ kind: "message", key, message, own });
      while (n < this.notices.length && this.notices[n]!.afterId <= id) items.push(this.noticeItem(n++));
    }
    while (n < this.notices.length) items.push(this.noticeItem(n++));
    for (const pending of this.pendingById.values()) {
      items.push({ kind: "pending", key: `c:${pending.clientId}`, pending });
    }
    return items;
  }

  private noticeItem(index: number): TimelineItem {
    const notice = this.notices[index]!;
    return { kind: "notice", key: `n:${notice.seq}`, text: notice.text };
  }
}

/** Describes who is typing: "ana is typing…", "ana and bo are typing…", "ana, bo and 2 others…". */
export function typingSentence(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
}
