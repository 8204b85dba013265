/** A registered route as Hono lists it (`app.routes`); middleware shows up with method `ALL`. */
interface RouteEntry {
  method: string;
  path: string;
}

/**
 * The methods each known path answers, from the app's routes, for 405 `Allow` headers and plain
 * OPTIONS requests. HEAD is served wherever GET is (Hono answers it from the GET route).
 */
export function allowedMethods(routes: readonly RouteEntry[]): (path: string) => string[] | null {
  const byPattern = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const { method, path } of routes) {
    if (method === "ALL" || path.includes("*")) continue;
    const entry = byPattern.get(path) ?? { pattern: pathPattern(path), methods: new Set<string>() };
    entry.methods.add(method);
    byPattern.set(path, entry);
  }
  return (path) => {
    const methods = new Set<string>();
    for (const entry of byPattern.values()) if (entry.pattern.test(path)) for (const method of entry.methods) methods.add(method);
    if (!methods.size) return null;
    if (methods.has("GET")) methods.add("HEAD");
    methods.add("OPTIONS");
    return [...methods].sort();
  };
}

/** `/api/orders/:id/` → a regex matching one non-empty segment per parameter. */
const pathPattern = (path: string) =>
  new RegExp(`^${path.split(/(:[^/]+)/).map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("")}$`);
