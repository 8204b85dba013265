// HTTP to the runtime under test, counting what came back: responses by status class, requests
// cut by a kill (connection errors while a kill was under way), and everything else as a failure.
const TIMEOUT_MS = 30_000;

export function createClient() {
  const stats = { inFlight: 0, "2xx": 0, "4xx": 0, "5xx": 0, cut: 0, failures: [] };
  let target = { url: null, killed: false };

  async function request(method, path, { token, body, headers = {}, label = `${method} ${path}` } = {}) {
    const at = target; // the runtime this request was sent to, whatever happens to `target` meanwhile
    stats.inFlight++;
    try {
      const res = await fetch(at.url + path, {
        method,
        headers: { ...(token && { Authorization: `Bearer ${token}` }), ...(body !== undefined && { "Content-Type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await res.text();
      const klass = res.status >= 500 ? "5xx" : res.status >= 400 ? "4xx" : "2xx";
      stats[klass]++;
      if (klass === "5xx") stats.failures.push(`${label}: ${res.status} ${text.slice(0, 300)}`);
      return { status: res.status, body: parseJson(text) };
    } catch (error) {
      if (at.killed) {
        stats.cut++;
        return { status: null, cut: true };
      }
      stats.failures.push(`${label}: ${error.cause?.code ?? error.name} without a kill (${error.message})`);
      return { status: null };
    } finally {
      stats.inFlight--;
    }
  }

  return {
    stats,
    request,
    /** Points new requests at a (re)started runtime. */
    use(url) {
      target = { url, killed: false };
    },
    /** Marks requests to the current runtime as cut by the kill about to happen; returns how many are in flight. */
    killing() {
      target.killed = true;
      return stats.inFlight;
    },
  };
}

/** The API answers JSON; anything else (a runtime error page) is kept as text. */
function parseJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}
