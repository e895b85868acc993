import { Composer } from "./composer.js";
import { Connection } from "./connection.js";
import { byId } from "./dom.js";
import { MessagePanel } from "./message-panel.js";
import type {
  JoinResult,
  MemberEvent,
  Message,
  PresenceEvent,
  ReplacedEvent,
  RoomSummary,
  TypingEvent,
} from "./protocol.js";
import { describeError } from "./protocol.js";
import { RoomState } from "./room-state.js";
import { checkMessageText, checkRoomName } from "./rules.js";
import { SidebarView } from "./sidebar-view.js";
import { showStatus } from "./status-view.js";

/** The room every user lands in first. */
export const defaultRoom = "general";

/** What the chat reports to the page around it. */
export interface ChatEvents {
  /** The server refused the nickname (at connect, or taken in the first room): back to login. */
  refused(message: string): void;
  /** The joined rooms or the active room changed (to keep them across a reload). */
  saved(rooms: string[], active: string | null): void;
  /** The user asked to change nickname. */
  logout(): void;
}

/** A random id for `message:send`, reused on retries so the server can deduplicate. */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The chat once a nickname is chosen: one connection, the rooms joined (several at once), the
 * active room's panel, the sidebar and the composer. It rejoins every room after a reconnect with
 * `sinceId` = the last id it holds, and resends unacknowledged messages with their clientId. A
 * rejoin never waits for the server to drop the previous connection: the tab's session key lets
 * the new one take the nickname over at once (the server tells the old one `room:replaced`).
 */
export class ChatController {
  private readonly me: string;
  private readonly events: ChatEvents;
  private readonly conn: Connection;
  private readonly rooms = new Map<string, RoomState>();
  private readonly attempts = new Map<string, number>();
  private readonly wanted: string[];
  private active: string | null = null;
  private allRooms: RoomSummary[] = [];
  private readonly app = byId("app");
  private readonly panel: MessagePanel;
  private readonly sidebar: SidebarView;
  private readonly composer: Composer;
  private readonly ticker: ReturnType<typeof setInterval>;
  // Removes every DOM listener on close, so a new login starts clean.
  private readonly abort = new AbortController();

  constructor(me: string, rooms: string[], active: string | null, events: ChatEvents) {
    this.me = me;
    this.events = events;
    this.wanted = rooms.length > 0 ? rooms : [defaultRoom];
    this.active = active;
    byId("me-name").textContent = me;
    const signal = this.abort.signal;
    this.panel = new MessagePanel(me, signal, { loadOlder: () => void this.loadOlder() });
    this.sidebar = new SidebarView(byId("joined-rooms"), byId("all-rooms"), byId("member-list"));
    this.composer = new Composer(byId("composer"), byId("message-input"), byId("composer-error"), signal, {
      submit: (text) => this.send(text),
      typing: (typing) => this.active && this.conn.notify("typing", { room: this.active, typing }),
    });
    this.conn = new Connection(me, {
      status: showStatus,
      connected: (first) => void this.onConnected(first),
      refused: (message) => this.events.refused(message || "The server refused that nickname."),
    });
    this.listen();
    this.ticker = setInterval(() => this.panel.renderTyping(this.activeState()), 1000);
    this.renderAll();
  }

  /** Disconnects and stops every timer (on logout). */
  close(): void {
    clearInterval(this.ticker);
    this.abort.abort();
    this.composer.stopTyping();
    this.conn.close();
  }

  private listen(): void {
    const socket = this.conn.socket;
    socket.on("message", (message: Message) => this.onMessage(message));
    socket.on("presence", (event: PresenceEvent) => {
      const state = this.rooms.get(event.room);
      if (!state) return;
      state.members = event.members;
      this.renderChrome();
    });
    socket.on("member:joined", (event: MemberEvent) => this.onMember(event, "joined"));
    socket.on("member:left", (event: MemberEvent) => this.onMember(event, "left"));
    socket.on("typing", (event: TypingEvent) => {
      const state = this.rooms.get(event.room);
      if (!state || event.nickname === this.me) return;
      state.setTyping(event.nickname, event.typing, Date.now());
      if (state === this.activeState()) this.panel.renderTyping(state);
    });
    socket.on("room:replaced", (event: ReplacedEvent) => this.onReplaced(event.room));
    socket.on("rooms", (event: { rooms: RoomSummary[] }) => {
      this.allRooms = event.rooms;
      this.renderChrome();
    });
    const on = { signal: this.abort.signal };
    const openRoom = (event: Event): void => {
      const button = (event.target as HTMLElement).closest<HTMLElement>("[data-room]");
      if (button?.dataset.room) void this.open(button.dataset.room);
    };
    byId("joined-rooms").addEventListener("click", openRoom, on);
    byId("all-rooms").addEventListener("click", openRoom, on);
    byId("room-form").addEventListener(
      "submit",
      (event) => {
        event.preventDefault();
        const input = byId<HTMLInputElement>("room-input");
        const checked = checkRoomName(input.value);
        if (!checked.ok) return void (byId("room-error").textContent = checked.error);
        input.value = "";
        void this.open(checked.value);
      },
      on,
    );
    byId("leave-room").addEventListener("click", () => this.active && void this.leave(this.active), on);
    byId("status").addEventListener("click", () => this.conn.status === "offline" && this.conn.reconnect(), on);
    byId("logout").addEventListener("click", () => this.events.logout(), on);
    byId("show-rooms").addEventListener("click", () => (this.app.dataset.pane = "rooms"), on);
    const members = byId("toggle-members");
    members.addEventListener("click", () => this.toggleMembers(this.app.dataset.members !== "open"), on);
    byId("close-members").addEventListener("click", () => this.toggleMembers(false), on);
    // The drawer (narrow screens) closes on Escape or a click back in the room.
    document.addEventListener("keydown", (event) => event.key === "Escape" && this.toggleMembers(false), on);
    byId("room").addEventListener(
      "click",
      (event) => !byId("toggle-members").contains(event.target as Node) && this.toggleMembers(false),
      on,
    );
    byId("message-list").addEventListener(
      "click",
      (event) => {
        const button = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
        const clientId = button?.dataset.clientId;
        const state = this.activeState();
        if (!button || !clientId || !state) return;
        if (button.dataset.action === "retry") {
          state.markPending(clientId, "", Date.now());
          void this.transmit(state, clientId);
        } else state.discard(clientId);
        this.panel.render(state, false);
      },
      on,
    );
  }

  private async onConnected(first: boolean): Promise<void> {
    void this.conn.request<{ rooms: RoomSummary[] }>("rooms:list", {}).then((ack) => {
      if (!ack.ok) return;
      this.allRooms = ack.rooms;
      this.renderChrome();
    });
    const names = first ? this.wanted : [...this.rooms.keys()];
    for (const [index, name] of names.entries()) {
      const error = await this.join(name);
      if (error && first && index === 0 && (error.code === "nickname_taken" || error.code === "nickname_invalid")) {
        const taken = `“${this.me}” is already in use in #${name}; pick another nickname.`;
        return this.events.refused(error.code === "nickname_taken" ? taken : describeError(error));
      }
      if (error && error.code !== "disconnected") {
        byId("room-error").textContent = `Could not join #${name}: ${describeError(error)}`;
      }
    }
    if (first) {
      const active = this.active !== null && this.rooms.has(this.active) ? this.active : undefined;
      this.switchTo(active ?? this.rooms.keys().next().value);
    }
  }

  /** Joins (or, after a reconnect, rejoins and fills the gap of) one room; returns the error if any. */
  private async join(name: string, fresh = false): Promise<{ code: string; message: string } | null> {
    const sinceId = fresh ? undefined : this.rooms.get(name)?.lastId;
    const ack = await this.conn.request<JoinResult>(
      "room:join",
      sinceId === undefined ? { room: name } : { room: name, sinceId },
    );
    if (!ack.ok) return ack.error;
    const state = this.rooms.get(name) ?? new RoomState(name);
    this.rooms.set(name, state);
    state.members = ack.members;
    if (sinceId === undefined) state.hasMoreBefore = ack.hasMore;
    else if (ack.hasMore) {
      // More than one page was missed: start over from the newest page instead of leaving a hole.
      state.clearMessages();
      await this.conn.request("room:leave", { room: name });
      return this.join(name, true);
    }
    const added = state.addMessages(ack.messages, this.me);
    if (sinceId !== undefined && added > 0 && state !== this.activeState()) state.unread += added;
    for (const pending of state.pending) if (pending.status === "pending") void this.transmit(state, pending.clientId);
    this.save();
    if (state === this.activeState()) this.panel.render(state, false);
    this.renderChrome();
    return null;
  }

  private async open(name: string): Promise<void> {
    byId("room-error").textContent = "";
    if (!this.rooms.has(name)) {
      const error = await this.join(name);
      if (error) return void (byId("room-error").textContent = describeError(error));
    }
    this.switchTo(name);
  }

  private async leave(name: string): Promise<void> {
    if (this.active === name) this.composer.stopTyping();
    this.rooms.delete(name);
    await this.conn.request("room:leave", { room: name });
    if (this.active === name) this.switchTo([...this.rooms.keys()][0]);
    else this.renderChrome();
    this.save();
  }

  /** A newer connection with this tab's key (a duplicated tab) took `name` over: drop it here. */
  private onReplaced(name: string): void {
    if (!this.rooms.delete(name)) return;
    if (this.active === name) this.switchTo([...this.rooms.keys()][0]);
    else this.renderChrome();
    this.save();
    byId("room-error").textContent = `#${name} was opened with your nickname in another tab, so it was closed here.`;
    if (this.rooms.size === 0) this.app.dataset.pane = "rooms"; // on phones: show why, with the list
  }

  private switchTo(name: string | undefined): void {
    if (this.active !== name) this.composer.stopTyping();
    this.active = name ?? null;
    const state = this.activeState();
    if (state) state.unread = 0;
    this.app.dataset.pane = "room";
    this.panel.show(state);
    this.composer.setEnabled(state !== undefined, state ? `Message #${state.name}` : "Join a room first");
    this.renderAll();
    this.save();
  }

  private send(raw: string): boolean {
    const state = this.activeState();
    if (!state) return false;
    const checked = checkMessageText(raw);
    if (!checked.ok) {
      this.composer.showError(checked.error);
      return false;
    }
    const clientId = newClientId();
    state.markPending(clientId, checked.value, Date.now());
    this.panel.render(state, true);
    void this.transmit(state, clientId);
    return true;
  }

  /** Sends (or resends, with the same clientId) one unacknowledged message and settles it. */
  private async transmit(state: RoomState, clientId: string): Promise<void> {
    const pending = state.pendingFor(clientId);
    if (!pending) return;
    const attempt = (this.attempts.get(clientId) ?? 0) + 1;
    this.attempts.set(clientId, attempt);
    if (!this.conn.socket.connected) return; // stays pending; resent after the rejoin
    const ack = await this.conn.request<{ message: Message }>("message:send", {
      room: state.name,
      text: pending.text,
      clientId,
    });
    if (this.attempts.get(clientId) !== attempt || this.rooms.get(state.name) !== state) return;
    if (ack.ok) {
      this.attempts.delete(clientId);
      state.addMessages([ack.message], this.me);
    } else if (ack.error.code === "disconnected" || (ack.error.code === "timeout" && !this.conn.socket.connected)) {
      return; // resent after the rejoin
    } else state.markFailed(clientId, ack.error);
    if (state === this.activeState()) this.panel.render(state, false);
  }

  private async loadOlder(): Promise<void> {
    const state = this.activeState();
    const beforeId = state?.firstId;
    if (!state || beforeId === undefined || !state.hasMoreBefore || state.loadingOlder) return;
    state.loadingOlder = true;
    this.panel.renderHistoryTop(state);
    const ack = await this.conn.request<{ messages: Message[]; hasMore: boolean }>("history:before", {
      room: state.name,
      beforeId,
      limit: 50,
    });
    state.loadingOlder = false;
    if (state !== this.activeState()) return;
    if (!ack.ok) return this.panel.renderHistoryTop(state); // no automatic retry: the button stays
    state.hasMoreBefore = ack.hasMore;
    state.addMessages(ack.messages, this.me);
    this.panel.renderPrepended(state);
  }

  private onMessage(message: Message): void {
    const state = this.rooms.get(message.room);
    if (!state) return;
    state.setTyping(message.nickname, false, Date.now());
    if (state.addMessages([message], this.me) === 0) return;
    if (state === this.activeState()) {
      this.panel.render(state, false);
      this.panel.renderTyping(state);
    } else {
      state.unread++;
      this.renderChrome();
    }
  }

  private onMember(event: MemberEvent, what: "joined" | "left"): void {
    const state = this.rooms.get(event.room);
    if (!state || event.nickname === this.me) return;
    if (what === "left") state.setTyping(event.nickname, false, Date.now());
    state.addNotice(`${event.nickname} ${what}`);
    if (state === this.activeState()) this.panel.render(state, false);
  }

  private activeState(): RoomState | undefined {
    return this.active === null ? undefined : this.rooms.get(this.active);
  }

  private toggleMembers(open: boolean): void {
    if ((this.app.dataset.members === "open") === open) return;
    this.app.dataset.members = open ? "open" : "closed";
    byId("toggle-members").setAttribute("aria-expanded", String(open));
  }

  private renderAll(): void {
    this.renderChrome();
    this.panel.renderTyping(this.activeState());
  }

  /** Sidebar, room header, members and the page title (everything but the message list). */
  private renderChrome(): void {
    const joined = [...this.rooms.values()].map((state) => ({
      name: state.name,
      members: state.members.length,
      unread: state.unread,
      active: state.name === this.active,
    }));
    this.sidebar.renderJoined(joined);
    this.sidebar.renderOthers(this.allRooms, new Set(this.rooms.keys()));
    const state = this.activeState();
    this.sidebar.renderMembers(state?.members ?? [], this.me);
    this.panel.renderHeader(state);
    const unread = joined.reduce((sum, row) => sum + row.unread, 0);
    document.title = `${unread > 0 ? `(${unread}) ` : ""}${state ? `#${state.name} · ` : ""}Chorus chat`;
  }

  private save(): void {
    this.events.saved([...this.rooms.keys()], this.active);
  }
}
