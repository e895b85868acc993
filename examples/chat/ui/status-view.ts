import type { ConnectionState } from "./connection.js";
import { byId } from "./dom.js";

/**
 * Shows the connection state and transport in the sidebar's status pill and, on phones where the
 * sidebar is hidden, in the dot beside the room name.
 */
export function showStatus(state: ConnectionState, transport: string): void {
  const label = `${state}${transport ? ` via ${transport}` : ""}`;
  const pill = byId("status");
  pill.dataset.state = state;
  pill.dataset.transport = transport;
  pill.title = state === "offline" ? "Offline — click to reconnect" : `Connection: ${label}`;
  byId("status-text").textContent = state;
  byId("status-transport").textContent = transport;
  const dot = byId("status-mini");
  dot.dataset.state = state;
  dot.setAttribute("aria-label", `Connection: ${label}`);
  dot.title = `Connection: ${label}`;
}
