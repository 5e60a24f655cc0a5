// Cortex's status page: reads the admin endpoints with the key typed in (kept in this tab's session storage, sent as
// a bearer header, never in a URL), refreshes the chain every few seconds, and follows the live list of requests over
// server-sent events read with fetch() (EventSource cannot send the header). Everything shown is set as text.
"use strict";

const KEY = "cortex.adminKey";
const REFRESH_MS = 2000;
const MAX_ROWS = 100;
const $ = (id) => document.getElementById(id);

function headers() {
  const key = sessionStorage.getItem(KEY);
  return key ? { Authorization: "Bearer " + key } : {};
}

class NeedsKey extends Error {}

async function getJson(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  if (response.status === 401 || response.status === 403) {
    throw new NeedsKey(await response.text());
  }
  const body = await response.json();
  if (!response.ok && !body.status) {
    throw new Error(body.error && body.error.message ? body.error.message : "HTTP " + response.status);
  }
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return node;
}

function askForKey(message) {
  $("content").hidden = true;
  $("key-form").hidden = false;
  $("key-error").textContent = message || "";
  $("key").focus();
}

// --- the chain: one card per provider, in the order a request would try them ---

function failuresText(f) {
  const entries = Object.entries((f && f.by_class) || {});
  if (entries.length === 0) return "none";
  return entries.map(([k, n]) => k + " " + n).join(", ");
}

function failing(p) {
  return p.health !== "available" || p.breaker !== "closed"
      || Object.keys((p.failures_recent && p.failures_recent.by_class) || {}).length > 0;
}

function sparkline(samples) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", "120");
  svg.setAttribute("height", "24");
  svg.setAttribute("class", "sparkline");
  if (samples.length > 1) {
    const max = Math.max(...samples, 1);
    const points = samples.map((v, i) =>
        (i * 118 / (samples.length - 1) + 1).toFixed(1) + "," + (23 - v * 22 / max).toFixed(1));
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", points.join(" "));
    line.setAttribute("class", "spark");
    svg.append(line);
  }
  return svg;
}

function card(name, p) {
  const keys = p.keys || {};
  const next = keys.next_back_in_seconds != null ? " (next back in " + keys.next_back_in_seconds + " s)" : "";
  const latency = p.latency_ms || {};
  const ttft = latency.first_token_avg != null ? latency.first_token_avg + " ms avg" : "not measured";
  const state = p.health === "disabled" ? "disabled" : failing(p) ? "failing" : "ok";
  const restore = el("button", { type: "button", class: "restore" }, "Restore");
  restore.addEventListener("click", () => restoreProvider(name, restore));
  const minutes = p.failures_recent ? p.failures_recent.window_minutes : 5;
  return el("article", { class: "card", "data-provider": name, "data-state": state, "data-health": p.health },
      el("h3", {}, name, el("span", { class: "badge " + p.health }, p.health)),
      el("dl", {},
          el("dt", {}, "breaker"), el("dd", { class: "breaker" }, p.breaker),
          el("dt", {}, "keys"), el("dd", { class: "keys" },
              (keys.usable || 0) + " usable · " + (keys.cooling || 0) + " cooling · " + (keys.dead || 0) + " dead" + next),
          el("dt", {}, "in flight"), el("dd", {}, (p.in_flight || {}).current + " / " + (p.in_flight || {}).limit),
          el("dt", {}, "first token"), el("dd", {}, ttft, el("br"), sparkline(latency.first_token_recent || [])),
          el("dt", {}, "failures " + minutes + " min"), el("dd", { class: "failures" }, failuresText(p.failures_recent)),
          el("dt", {}, "last failure"), el("dd", { class: "last-failure" }, p.reason || p.last_failure || "—")),
      restore);
}

function ollamaPanel(name, models) {
  const memory = models.memory || {};
  const list = (items, text) => items.length ? el("ul", {}, ...items.map((m) => el("li", {}, text(m)))) : "none";
  return el("div", { class: "card ollama", "data-provider": name },
      el("h3", {}, name),
      el("dl", {},
          el("dt", {}, "memory"), el("dd", { class: "memory" },
              (memory.used_mb != null ? memory.used_mb : "?") + " MB of " + (memory.max_mb != null ? memory.max_mb : "?")
              + " MB budget"),
          el("dt", {}, "loading now"), el("dd", { class: "loading" },
              (models.loading || []).length ? models.loading.join(", ") : "nothing"),
          el("dt", {}, "loaded"), el("dd", { class: "loaded" },
              list(models.loaded || [], (m) => m.name + " · " + m.memory_mb + " MB" + (m.on_gpu ? " (GPU)" : ""))),
          el("dt", {}, "installed"), el("dd", { class: "installed" },
              list(models.installed || [], (m) => m.name + " · " + m.size_mb + " MB" + (m.critical ? " · critical" : "")))));
}

async function refresh() {
  try {
    const [health, route] = await Promise.all([getJson("/api/health"), getJson("/api/route")]);
    if (!health.providers) throw new NeedsKey("This key has no admin scope.");
    $("key-form").hidden = true;
    $("content").hidden = false;
    $("forget-key").hidden = !sessionStorage.getItem(KEY);
    $("overall").textContent = health.status === "ok" ? "serving" : "no provider can serve";
    $("overall").className = "badge " + (health.status === "ok" ? "ok" : "unavailable-all");
    const shown = JSON.stringify([health.providers, route.order]);
    if (shown !== lastShown) { // redrawn only when something changed, so a button is not swapped under a click
      lastShown = shown;
      draw(health, route);
    }
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    follow();
  } catch (e) {
    if (e instanceof NeedsKey) {
      askForKey(sessionStorage.getItem(KEY) ? "That key was refused: it needs the admin scope." : "");
    } else {
      $("updated").textContent = "cannot reach Cortex: " + e.message;
    }
  }
}

let lastShown = "";

function draw(health, route) {
    const order = route.order.map((s) => s.provider);
    Object.keys(health.providers).forEach((n) => { if (!order.includes(n)) order.push(n); });
    $("chain").replaceChildren(...order.map((n) => card(n, health.providers[n])));
    const ollama = order.filter((n) => health.providers[n].models);
    $("ollama-section").hidden = ollama.length === 0;
    $("ollama").replaceChildren(...ollama.map((n) => ollamaPanel(n, health.providers[n].models)));
}

async function restoreProvider(name, button) {
  button.disabled = true;
  try {
    await getJson("/api/providers/" + encodeURIComponent(name) + "/restore", { method: "POST" });
  } finally {
    button.disabled = false;
    refresh();
  }
}

// --- the live list: server-sent events over fetch(), so the key travels in a header ---

let following = false;

function addRequest(r, fresh) {
  const time = new Date(r.at).toLocaleTimeString();
  const row = el("tr", { class: "request" + (fresh ? " fresh" : "") },
      el("td", {}, time), el("td", {}, r.door + (r.stream ? " (stream)" : "")), el("td", {}, r.strategy),
      el("td", { class: "trail" }, r.trail), el("td", { class: "provider" }, r.provider || "—"),
      el("td", {}, el("span", { class: "badge " + r.outcome }, r.outcome)),
      el("td", {}, r.first_token_ms != null ? r.first_token_ms + " ms" : "—"),
      el("td", {}, r.prompt_tokens + " / " + r.completion_tokens));
  const body = $("requests").tBodies[0];
  body.prepend(row);
  while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
  if (fresh) setTimeout(() => row.classList.remove("fresh"), 3000);
}

let live = false; // past the recent list: each request now is news

function handleEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (event === "live") live = true;
  else if (event === "request" && data.length) addRequest(JSON.parse(data.join("\n")), live);
}

async function follow() {
  if (following) return;
  following = true;
  $("feed-state").textContent = "(connecting)";
  try {
    const response = await fetch("/api/status/events", { headers: headers() });
    if (!response.ok) throw new Error("HTTP " + response.status);
    $("requests").tBodies[0].replaceChildren();
    $("feed-state").textContent = "(live)";
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    live = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        handleEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (e) {
    // reconnecting below
  }
  $("feed-state").textContent = "(reconnecting)";
  following = false;
  setTimeout(follow, REFRESH_MS);
}

// --- the route explainer ---

async function explain(event) {
  event.preventDefault();
  const query = new URLSearchParams();
  for (const [param, id] of [["strategy", "strategy"], ["providers", "providers"], ["model", "model"], ["key", "key-name"]]) {
    const value = $(id).value.trim();
    if (value) query.set(param, value);
  }
  const out = $("explain-result");
  try {
    const plan = await getJson("/api/route?" + query);
    out.replaceChildren(...plan.order.map((s) => el("li", { class: s.action, "data-provider": s.provider },
        s.provider + ": " + (s.action === "skip" ? "skipped — " + s.reason : "tried")
        + (s.note ? " (" + s.note + ")" : ""))));
    $("explain-summary").textContent = "strategy " + plan.strategy + (plan.key ? ", as key " + plan.key : "");
  } catch (e) {
    out.replaceChildren();
    $("explain-summary").textContent = e.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $("key").value.trim());
    $("key").value = "";
    refresh();
  });
  $("forget-key").addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    location.reload();
  });
  $("explain").addEventListener("submit", explain);
  refresh();
  setInterval(refresh, REFRESH_MS);
});
