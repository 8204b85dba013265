// Form submission with the API's error bodies shown where they belong: field errors under their
// field, everything else (with the request id, for support) at the top of the form.
import { ApiError } from "./api";
import { h } from "./dom";

export type Values = Record<string, string>;

function errorMessage(error: unknown): string {
  if (error instanceof TypeError) return `Could not reach the server (${error.message}). Check your connection and try again.`;
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const fields = Object.entries(error.fieldErrors).map(([name, messages]) => (name === "non_field_errors" ? "" : `${name}: `) + messages.join(" "));
  const text = fields.length ? fields.join(" ") : error.message;
  return error.requestId ? `${text} (request id ${error.requestId})` : text;
}

/** An alert box for errors outside forms (e.g. a button in a list). */
export const errorBox = (error: unknown) => h("p", { class: "alert", role: "alert" }, errorMessage(error));

function showErrors(form: HTMLFormElement, error: unknown): void {
  const unplaced: string[] = [];
  if (error instanceof ApiError) {
    for (const [name, messages] of Object.entries(error.fieldErrors)) {
      const slot = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(name)}"] .field-error`);
      if (slot) {
        slot.textContent = messages.join(" ");
        slot.hidden = false;
        slot.parentElement?.querySelector("input, select, textarea")?.setAttribute("aria-invalid", "true");
      } else unplaced.push(...messages);
    }
  }
  const summary = form.querySelector<HTMLElement>(".form-error");
  if (!summary) throw new Error("Every form built here has a .form-error slot.");
  const placedAll = error instanceof ApiError && Object.keys(error.fieldErrors).length > 0 && unplaced.length === 0;
  summary.textContent = placedAll
    ? `Please correct the highlighted fields${error.requestId ? ` (request id ${error.requestId})` : ""}.`
    : unplaced.length
      ? `${unplaced.join(" ")}${error instanceof ApiError && error.requestId ? ` (request id ${error.requestId})` : ""}`
      : errorMessage(error);
  summary.hidden = false;
}

function clearErrors(form: HTMLFormElement): void {
  for (const slot of form.querySelectorAll<HTMLElement>(".field-error, .form-error")) {
    slot.hidden = true;
    slot.textContent = "";
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

/**
 * A form whose submit calls `handler` with its values; the submit button is disabled meanwhile
 * (no double submits) and API errors are shown in the form.
 */
export function form(attrs: Record<string, string>, children: Node[], submitLabel: string, handler: (values: Values) => Promise<void>): HTMLFormElement {
  const submit = h("button", { type: "submit", class: "primary" }, submitLabel);
  const el = h("form", { ...attrs, novalidate: true }, h("p", { class: "form-error alert", role: "alert", hidden: true }), ...children, h("div", { class: "actions" }, submit));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(el);
    submit.disabled = true;
    try {
      const values = Object.fromEntries([...new FormData(el)].map(([k, v]) => [k, String(v)]));
      await handler(values);
    } catch (error) {
      showErrors(el, error);
    } finally {
      submit.disabled = false;
    }
  });
  return el;
}

/** A button that runs an API action and reports failures next to itself. */
export function actionButton(label: string, action: () => Promise<void>, attrs: Record<string, string> = {}): HTMLElement {
  const button = h("button", { type: "button", ...attrs }, label);
  const wrapper = h("span", { class: "action" }, button);
  button.addEventListener("click", async () => {
    button.disabled = true;
    wrapper.querySelector(".alert")?.remove();
    try {
      await action();
    } catch (error) {
      wrapper.append(errorBox(error));
    } finally {
      button.disabled = false;
    }
  });
  return wrapper;
}
