// Tiny DOM helpers: the whole client renders with these instead of a framework.

export type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined | ((event: Event) => void);

/** `h("button", { type: "button", onclick: go }, "Go")` → an element; `false`/`null` attributes and children are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, AttrValue> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let fieldIds = 0;

/** A labelled input (every input has a visible label) with a slot for its server-side errors. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  input.id ||= `f${++fieldIds}`;
  const errorId = `${input.id}-error`;
  const hintEl = hint ? h("small", { id: `${input.id}-hint`, class: "hint" }, hint) : null;
  input.setAttribute("aria-describedby", [hintEl?.id, errorId].filter(Boolean).join(" "));
  return h(
    "div",
    { class: "field", "data-field": input.name },
    h("label", { for: input.id }, label),
    input,
    hintEl,
    h("p", { id: errorId, class: "field-error", role: "alert", hidden: true }),
  );
}

export const input = (name: string, attrs: Record<string, AttrValue> = {}) => h("input", { name, type: "text", ...attrs });

export function select(name: string, options: [value: string, label: string][], selected = ""): HTMLSelectElement {
  return h("select", { name }, ...options.map(([value, label]) => h("option", { value, selected: value === selected }, label)));
}

export const dateTime = (value: string) =>
  new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

export const statusBadge = (status: string) => h("span", { class: `badge status-${status}` }, status.replace("_", " "));

/** Replaces the contents of `target`. */
/** An element the page shell (public/index.html) always has. */
export function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}.`);
  return element;
}

export function mount(target: Element, ...children: Child[]): void {
  target.replaceChildren(...children.flatMap((c) => (c === null || c === undefined || c === false ? [] : [c instanceof Node ? c : String(c)])));
}
