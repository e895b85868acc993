import { avatar, el } from "./dom.js";
import type { RoomSummary } from "./protocol.js";

/** A joined room as the sidebar shows it. */
export interface JoinedRoomRow {
  name: string;
  members: number;
  unread: number;
  active: boolean;
}

function countLabel(members: number): string {
  return `${members} ${members === 1 ? "member" : "members"}`;
}

/**
 * The sidebar's two room lists (the rooms the user is in, with unread counts, and every room with
 * member counts) and the member list of the active room. Clicks go out through `data-room`.
 */
export class SidebarView {
  private readonly joined: HTMLUListElement;
  private readonly all: HTMLUListElement;
  private readonly members: HTMLUListElement;

  constructor(joined: HTMLUListElement, all: HTMLUListElement, members: HTMLUListElement) {
    this.joined = joined;
    this.all = all;
    this.members = members;
  }

  /** Shows the rooms the user is in. */
  renderJoined(rows: readonly JoinedRoomRow[]): void {
    this.joined.replaceChildren(
      ...rows.map((row) => {
        const item = el("li");
        const button = el("button", `room-item${row.active ? " active" : ""}`);
        button.type = "button";
        button.dataset.room = row.name;
        if (row.active) button.setAttribute("aria-current", "true");
        button.append(el("span", "room-hash", "#"), el("span", "room-name", row.name));
        if (row.unread > 0) {
          const badge = el("span", "unread", row.unread > 99 ? "99+" : String(row.unread));
          badge.setAttribute("aria-label", `${row.unread} unread`);
          button.append(badge);
        } else {
          button.append(el("span", "room-count", String(row.members)));
        }
        button.title = countLabel(row.members);
        item.append(button);
        return item;
      }),
    );
    if (rows.length === 0) this.joined.append(el("li", "muted list-empty", "No rooms yet"));
  }

  /** Shows the rooms on the server the user is not in, busiest first, with member counts. */
  renderOthers(rooms: readonly RoomSummary[], joined: ReadonlySet<string>): void {
    const sorted = rooms
      .filter((room) => !joined.has(room.name))
      .sort((a, b) => b.members - a.members || a.name.localeCompare(b.name));
    this.all.replaceChildren(
      ...sorted.map((room) => {
        const item = el("li");
        const button = el("button", "room-item");
        button.type = "button";
        button.dataset.room = room.name;
        button.append(el("span", "room-hash", "#"), el("span", "room-name", room.name));
        const count = el("span", "room-count", String(room.members));
        count.setAttribute("aria-label", countLabel(room.members));
        button.append(count);
        button.title = `Join #${room.name}`;
        item.append(button);
        return item;
      }),
    );
    if (sorted.length === 0) this.all.append(el("li", "muted list-empty", "No other rooms — create one above."));
  }

  /** Shows the members of the active room, the user first. */
  renderMembers(members: readonly string[], me: string): void {
    const sorted = [...members].sort((a, b) => (a === me ? -1 : b === me ? 1 : a.localeCompare(b)));
    this.members.replaceChildren(
      ...sorted.map((nickname) => {
        const item = el("li", "member");
        item.dataset.nickname = nickname;
        item.append(avatar(nickname), el("span", "member-name", nickname));
        if (nickname === me) item.append(el("span", "muted member-you", "(you)"));
        item.append(el("span", "online-dot"));
        return item;
      }),
    );
  }
}
