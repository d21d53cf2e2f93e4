// The kb-stream web console: plain JavaScript against the public API (/v1/documents, /v1/search)
// and the status socket (/v1/events). The key lives in this page's memory only; every text that
// comes from a document (ids, titles, snippets, reasons) is set as textContent, never as HTML.
"use strict";

const FINAL = new Set(["INDEXED", "FAILED", "DELETED"]);
// within one version a status only moves forward, whichever of the 202 and the socket comes first
const RANK = { DELETING: 0, ACCEPTED: 0, PROCESSING: 1, INDEXED: 2, FAILED: 2, DELETED: 3 };
const DELETE_POLL_MS = 1000;
const DELETE_POLL_TRIES = 300;
const LIST_PAGE = 50;

const state = { key: null, socket: null, retry: 0, docs: new Map(), cursor: null };
const $ = (id) => document.getElementById(id);

function say(text, isError) {
  const m = $("message");
  m.textContent = text;
  m.className = isError ? "error" : "";
}

async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + state.key };
  if (body !== undefined && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = json.error || {};
    throw new Error((error.message || res.statusText) + " (" + res.status + ")");
  }
  return json;
}

// "key=value" lines → {key: value}; blank lines are skipped
function pairs(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    const at = t.indexOf("=");
    if (at < 1) throw new Error("not key=value: " + t);
    out[t.slice(0, at).trim()] = t.slice(at + 1).trim();
  }
  return out;
}

// ---- the status socket ----

function connect() {
  if (state.socket) state.socket.close();
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/events";
  const socket = new WebSocket(url);
  state.socket = socket;
  setConnection("connecting", "off");
  // browsers cannot set headers on a WebSocket: the key is the first message
  socket.onopen = () => socket.send(JSON.stringify({ apiKey: state.key }));
  socket.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.type === "subscribed") {
      state.retry = 0;
      setConnection("live: " + msg.tenant, "on");
      refreshPending();
    } else if (msg.id) {
      show(msg);
    }
  };
  socket.onclose = (e) => {
    if (state.socket !== socket) return;
    state.socket = null;
    if (e.code === 1008) {
      setConnection("key refused", "off");
      return;
    }
    // reconnect with backoff; statuses missed meanwhile are fetched on resubscribe
    const wait = Math.min(30000, 1000 * 2 ** state.retry++);
    setConnection("reconnecting", "off");
    setTimeout(() => state.key && !state.socket && connect(), wait);
  };
}

function setConnection(text, cls) {
  const c = $("connection");
  c.textContent = text;
  c.className = "badge " + cls;
}

// documents whose last status is not final: ask the API, in case the socket missed it
function refreshPending() {
  for (const [id, doc] of state.docs) {
    if (!FINAL.has(doc.status)) {
      api("GET", "/v1/documents/" + encodeURIComponent(id)).then(show, () => {});
    }
  }
}

// ---- documents ----

// a status (event, 202, or listed document): a row per id; listed rows go below, in id order
function show(s, listed) {
  let doc = state.docs.get(s.id);
  if (!doc) {
    doc = { row: newRow(s.id, listed), version: -1, status: null };
    state.docs.set(s.id, doc);
  }
  const newer = s.version > doc.version;
  const same = s.version === doc.version && RANK[s.status] >= RANK[doc.status];
  if (doc.version >= 0 && !newer && !same) return;
  doc.version = s.version;
  doc.status = s.status;
  const cells = doc.row.cells;
  if (s.title) cells[1].textContent = s.title;
  cells[2].textContent = s.status;
  cells[2].className = "status " + s.status.toLowerCase();
  cells[3].textContent = s.status === "INDEXED" ? String(s.chunkCount ?? "") : "";
  cells[4].textContent = s.reason || "";
}

function newRow(id, atEnd) {
  const row = $("documents").tBodies[0].insertRow(atEnd ? -1 : 0);
  row.dataset.id = id;
  for (let i = 0; i < 6; i++) row.insertCell();
  row.cells[0].textContent = id;
  const del = document.createElement("button");
  del.textContent = "Delete";
  del.className = "delete";
  del.onclick = () => remove(id);
  row.cells[5].appendChild(del);
  return row;
}

async function upload(files) {
  if (!requireKey()) return;
  let metadata;
  try {
    metadata = pairs($("upload-metadata").value);
  } catch (e) {
    say(e.message, true);
    return;
  }
  for (const file of files) {
    const form = new FormData();
    form.append("file", file, file.name);
    if (Object.keys(metadata).length) form.append("metadata", JSON.stringify(metadata));
    try {
      const accepted = await api("POST", "/v1/documents", form);
      show({ ...accepted, title: file.name });
      say("accepted " + file.name);
    } catch (e) {
      say(file.name + ": " + e.message, true);
    }
  }
}

async function remove(id) {
  try {
    const deleting = await api("DELETE", "/v1/documents/" + encodeURIComponent(id));
    show(deleting);
    say("deleting " + id);
    awaitDeleted(id, deleting.version, DELETE_POLL_TRIES);
  } catch (e) {
    say(id + ": " + e.message, true);
  }
}

// the socket carries no event for a delete: the document is gone once its status answers 404
function awaitDeleted(id, version, tries) {
  setTimeout(async () => {
    const res = await fetch("/v1/documents/" + encodeURIComponent(id), {
      headers: { Authorization: "Bearer " + state.key },
    }).catch(() => null);
    if (res && res.status === 404) {
      show({ id, version, status: "DELETED" });
    } else if (tries > 1) {
      awaitDeleted(id, version, tries - 1);
    }
  }, DELETE_POLL_MS);
}

// ---- listing: the tenant's documents a page at a time, optionally of one status ----

async function list(more) {
  if (!requireKey()) return;
  const params = new URLSearchParams({ limit: String(LIST_PAGE) });
  if ($("list-status").value) params.set("status", $("list-status").value);
  if (more) {
    params.set("cursor", state.cursor);
  } else {
    state.docs.clear();
    $("documents").tBodies[0].replaceChildren();
  }
  try {
    const page = await api("GET", "/v1/documents?" + params);
    for (const d of page.documents) show(d, true);
    state.cursor = page.nextCursor;
    $("list-more").hidden = !page.nextCursor;
    say(page.partial ? "Redis did not answer: only indexed documents are listed" : "", page.partial);
  } catch (e) {
    say("list: " + e.message, true);
  }
}

// ---- search ----

async function search(event) {
  event.preventDefault();
  if (!requireKey()) return;
  try {
    const filter = {};
    for (const [k, v] of Object.entries(pairs($("filters").value))) filter["metadata." + k] = v;
    const body = { query: $("query").value, mode: $("mode").value, k: Number($("k").value), filter };
    const answer = await api("POST", "/v1/search", body);
    render(answer);
    say("");
  } catch (e) {
    say("search: " + e.message, true);
  }
}

function render(answer) {
  const list = $("results");
  list.replaceChildren();
  for (const hit of answer.results) {
    const item = document.createElement("li");
    item.className = "result";
    item.dataset.id = hit.id;
    const head = document.createElement("div");
    const title = document.createElement("strong");
    title.textContent = hit.title || hit.id;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = hit.id + " · chunk " + hit.chunk + " · score " + hit.score.toFixed(4);
    const del = document.createElement("button");
    del.textContent = "Delete";
    del.className = "delete";
    del.onclick = () => remove(hit.id);
    head.append(title, meta, del);
    const snippet = document.createElement("p");
    snippet.className = "snippet";
    snippet.textContent = hit.snippet;
    item.append(head, snippet);
    list.appendChild(item);
  }
  $("search-info").textContent =
    answer.results.length + " result(s) in " + answer.tookMs + " ms" +
    (answer.cached ? ", cached" : "") + (answer.partial ? ", PARTIAL: a shard did not answer" : "");
}

function requireKey() {
  if (state.key) return true;
  say("enter the tenant's API key first", true);
  return false;
}

// ---- wiring ----

window.addEventListener("DOMContentLoaded", () => {
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    state.key = $("api-key").value.trim();
    state.retry = 0;
    connect();
    list(false);
  });
  $("list-form").addEventListener("submit", (e) => {
    e.preventDefault();
    list(false);
  });
  $("list-more").addEventListener("click", () => list(true));
  $("search-form").addEventListener("submit", search);
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    upload(Array.from(e.dataTransfer.files));
  });
  $("file-input").addEventListener("change", (e) => {
    upload(Array.from(e.target.files));
    e.target.value = "";
  });
});
