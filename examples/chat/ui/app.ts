/**
 * Entry point of the chat's browser UI (bundled by `scripts/build-chat-ui.js`): the nickname
 * form, then the chat. The session (nickname, joined rooms, active room) is kept in
 * `sessionStorage`, so a reload reconnects straight into the same rooms; the last nickname is
 * remembered in `localStorage` to prefill the form.
 */
import { ChatController } from "./chat-controller.js";
import { byId } from "./dom.js";
import { checkNickname } from "./rules.js";

const sessionKey = "chorus-chat/session";
const nicknameKey = "chorus-chat/nickname";

interface Session {
  nickname: string;
  rooms: string[];
  active: string | null;
}

function readSession(): Session | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(sessionKey) ?? "null") as Session | null;
    if (parsed && typeof parsed.nickname === "string" && Array.isArray(parsed.rooms)) return parsed;
  } catch {
    // A corrupt entry is ignored: the user picks a nickname again.
  }
  return null;
}

function writeSession(session: Session | null): void {
  try {
    if (session) sessionStorage.setItem(sessionKey, JSON.stringify(session));
    else sessionStorage.removeItem(sessionKey);
  } catch {
    // Storage may be disabled (private mode): the chat still works, only without reload memory.
  }
}

let chat: ChatController | null = null;

function showLogin(error: string): void {
  chat?.close();
  chat = null;
  writeSession(null);
  byId("app").hidden = true;
  byId("login").hidden = false;
  byId("login-error").textContent = error;
  const input = byId<HTMLInputElement>("nickname");
  input.setAttribute("aria-invalid", String(error !== ""));
  input.focus();
}

function startChat(session: Session): void {
  byId("login").hidden = true;
  byId("app").hidden = false;
  try {
    localStorage.setItem(nicknameKey, session.nickname);
  } catch {
    // See writeSession.
  }
  writeSession(session);
  chat = new ChatController(session.nickname, session.rooms, session.active, {
    refused: (message) => showLogin(message),
    saved: (rooms, active) => writeSession({ nickname: session.nickname, rooms, active }),
    logout: () => showLogin(""),
  });
}

function main(): void {
  const input = byId<HTMLInputElement>("nickname");
  try {
    input.value = localStorage.getItem(nicknameKey) ?? "";
  } catch {
    // See writeSession.
  }
  byId("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const checked = checkNickname(input.value);
    if (!checked.ok) return showLogin(checked.error);
    startChat({ nickname: checked.value, rooms: [], active: null });
  });
  input.addEventListener("input", () => {
    byId("login-error").textContent = "";
    input.removeAttribute("aria-invalid");
  });
  const session = readSession();
  if (session && checkNickname(session.nickname).ok) startChat(session);
  else showLogin("");
}

main();
