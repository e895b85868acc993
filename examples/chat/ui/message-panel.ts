import { byId } from "./dom.js";
import { MessageView } from "./message-view.js";
import { typingSentence, type RoomState } from "./room-state.js";

/** Within this distance of the bottom the list follows new messages, in CSS pixels. */
export const stickToBottomPx = 96;
/** Within this distance of the top, scrolling up loads older history, in CSS pixels. */
export const loadOlderAtPx = 160;

/** What the panel asks of the chat. */
export interface PanelEvents {
  /** The user scrolled to the top (or pressed "Load older messages"). */
  loadOlder(): void;
}

/**
 * The active room's main column: header, scrolling message list (following new messages when at
 * the bottom, keeping its place when older history is prepended), history and typing lines.
 */
export class MessagePanel {
  private readonly me: string;
  private readonly scroller = byId("messages");
  private readonly view = new MessageView(byId<HTMLOListElement>("message-list"));
  private readonly jump = byId("jump-new");
  private readonly events: PanelEvents;
  private lastKey = "";

  constructor(me: string, signal: AbortSignal, events: PanelEvents) {
    this.me = me;
    this.events = events;
    this.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true, signal });
    byId("load-older").addEventListener("click", () => this.events.loadOlder(), { signal });
    this.jump.addEventListener("click", () => this.scrollToBottom(), { signal });
  }

  /** Shows another room (or none), scrolled to its newest message. */
  show(state: RoomState | undefined): void {
    this.view.clear();
    this.lastKey = "";
    byId("empty-room").hidden = state !== undefined;
    byId("history-top").hidden = state === undefined;
    if (state) this.render(state, true);
    this.renderHeader(state);
    this.renderTyping(state);
  }

  /** Re-renders the list; follows to the bottom if it was there (or `toBottom`). */
  render(state: RoomState, toBottom: boolean): void {
    const wasNearBottom = this.nearBottom();
    const items = state.timeline(this.me);
    this.view.render(items, this.me, Date.now());
    this.renderHistoryTop(state);
    const lastKey = items.length > 0 ? items[items.length - 1]!.key : "";
    const grew = lastKey !== this.lastKey;
    this.lastKey = lastKey;
    if (toBottom || wasNearBottom) this.scrollToBottom();
    else if (grew) this.jump.hidden = false;
    this.fillViewport(state);
  }

  /** Re-renders after older messages were added at the top, keeping the visible ones in place. */
  renderPrepended(state: RoomState): void {
    const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    this.view.render(state.timeline(this.me), this.me, Date.now());
    this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
    this.renderHistoryTop(state);
    this.fillViewport(state);
  }

  /** The line above the first message: a load button, "Loading…", or the start of the room. */
  renderHistoryTop(state: RoomState): void {
    const button = byId<HTMLButtonElement>("load-older");
    const start = byId("history-start");
    button.hidden = !state.hasMoreBefore || state.loadingOlder;
    start.textContent = state.loadingOlder
      ? "Loading older messages…"
      : state.hasMoreBefore
        ? ""
        : `This is the start of #${state.name}.`;
  }

  /** The "ana is typing…" line under the list. */
  renderTyping(state: RoomState | undefined): void {
    const text = state ? typingSentence(state.typingAt(Date.now(), this.me)) : "";
    const line = byId("typing");
    if (line.textContent !== text) line.textContent = text;
  }

  /** Room name, member count and leave button. */
  renderHeader(state: RoomState | undefined): void {
    byId("room-title").textContent = state ? `#${state.name}` : "No room";
    const count = state?.members.length ?? 0;
    byId("room-subtitle").textContent = state ? `${count} ${count === 1 ? "member" : "members"} online` : "";
    byId("member-count").textContent = state ? String(count) : "";
    byId("leave-room").hidden = state === undefined;
    byId("toggle-members").hidden = state === undefined;
  }

  private nearBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < stickToBottomPx;
  }

  private scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.jump.hidden = true;
  }

  private onScroll(): void {
    if (this.nearBottom()) this.jump.hidden = true;
    if (this.scroller.scrollTop < loadOlderAtPx) this.events.loadOlder();
  }

  // When the messages do not fill the list there is no scrolling to trigger a load: load now.
  private fillViewport(state: RoomState): void {
    if (state.hasMoreBefore && !state.loadingOlder && this.scroller.scrollHeight <= this.scroller.clientHeight) {
      this.events.loadOlder();
    }
  }
}
