import { messageLengthMax, textLength } from "./rules.js";

/** Re-announce "typing" at most this often while the user keeps typing, in ms. */
export const typingRefreshMs = 3000;
/** Announce "stopped typing" after this much idle time, in ms. */
export const typingIdleMs = 3000;
/** Show the character counter once the text is this close to the limit, in characters. */
export const counterThreshold = 200;

/** What the composer asks of the chat. */
export interface ComposerEvents {
  /** The user pressed Enter (or Send) with this raw text. Return true to clear the box. */
  submit(text: string): boolean;
  /** The user started (`true`) or stopped (`false`) typing. */
  typing(typing: boolean): void;
}

/**
 * The message box: Enter sends, Shift+Enter adds a line, it grows with its content, shows a
 * counter near the 2,000-character limit, and reports typing start/stop with throttling.
 */
export class Composer {
  private readonly input: HTMLTextAreaElement;
  private readonly error: HTMLElement;
  private readonly events: ComposerEvents;
  private typingSentAtMs = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private typing = false;

  constructor(
    form: HTMLFormElement,
    input: HTMLTextAreaElement,
    error: HTMLElement,
    signal: AbortSignal,
    events: ComposerEvents,
  ) {
    this.input = input;
    this.error = error;
    this.events = events;
    form.addEventListener(
      "submit",
      (event) => {
        event.preventDefault();
        this.submit();
      },
      { signal },
    );
    input.addEventListener(
      "keydown",
      (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.submit();
        }
      },
      { signal },
    );
    input.addEventListener("input", () => this.onInput(), { signal });
    input.addEventListener("blur", () => this.stopTyping(), { signal });
  }

  /** Shows (or clears, with "") an error under the box. */
  showError(text: string): void {
    this.error.textContent = text;
  }

  /** Says "stopped typing" now if a start was announced (on send, room switch or blur). */
  stopTyping(): void {
    clearTimeout(this.idleTimer);
    if (!this.typing) return;
    this.typing = false;
    this.typingSentAtMs = 0;
    this.events.typing(false);
  }

  /** Enables or disables the box (no room open). */
  setEnabled(enabled: boolean, placeholder: string): void {
    this.input.disabled = !enabled;
    this.input.placeholder = placeholder;
  }

  /** Moves keyboard focus to the box. */
  focus(): void {
    this.input.focus();
  }

  private submit(): void {
    if (this.events.submit(this.input.value)) {
      this.input.value = "";
      this.resize();
      this.stopTyping();
      this.showError("");
    }
  }

  private onInput(): void {
    this.resize();
    const length = textLength(this.input.value);
    if (length > messageLengthMax) this.showError(`${length} / ${messageLengthMax} characters — too long to send.`);
    else if (length > messageLengthMax - counterThreshold) this.showError(`${length} / ${messageLengthMax} characters`);
    else this.showError("");
    if (length === 0) {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    if (!this.typing || now - this.typingSentAtMs >= typingRefreshMs) {
      this.typing = true;
      this.typingSentAtMs = now;
      this.events.typing(true);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopTyping(), typingIdleMs);
  }

  private resize(): void {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 160)}px`;
  }
}
