// Celeriac's dashboard: one page, a view per hash (#overview, #workers, #tasks, #task/ID, ...), each refreshed at the
// server's refresh interval while it is shown. Data is put into the page as text only, never as markup.
"use strict";

const state = { config: { readOnly: false, refreshMs: 2000 }, timer: null, view: null };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  return node;
}

function table(headers, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, headers.map(h => el("th", { class: h.num ? "num" : null, text: h.label || h })))),
    el("tbody", {}, rows));
}

const num = value => el("td", { class: "num", text: value ?? "" });
const cell = value => el("td", { text: value ?? "" });
const ago = at => at ? duration((Date.now() - new Date(at).getTime()) / 1000) + " ago" : "";
const time = at => at ? new Date(at).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "";
function duration(seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 60) return seconds.toFixed(seconds < 10 ? 1 : 0) + "s";
  if (seconds < 3600) return Math.floor(seconds / 60) + "m" + String(Math.floor(seconds % 60)).padStart(2, "0") + "s";
  return Math.floor(seconds / 3600) + "h" + String(Math.floor(seconds % 3600 / 60)).padStart(2, "0") + "m";
}
const progress = r => r.progress == null ? "" : Math.round(r.progress * 1000) / 10 + "%" + (r.progressMessage ? " " + r.progressMessage : "");

function message(text, ok) {
  const box = document.getElementById("message");
  box.textContent = text || "";
  box.className = text ? (ok ? "ok" : "error") : "";
}

async function get(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || response.statusText);
  return response.json();
}

async function act(path, body) {
  const token = sessionStorage.getItem("celeriac-token") || "";
  const response = await fetch("api/actions/" + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
    body: JSON.stringify(body || {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    message("refused: " + (data.error || response.status), false);
    return null;
  }
  return data;
}

function actionButton(label, onclick, attrs) {
  return el("button", Object.assign({ type: "button", disabled: state.config.readOnly, onclick }, attrs || {}), label);
}

async function revoke(body) {
  const done = await act("revoke", body);
  if (done) message("revoked " + done.revoked, true);
  refresh();
}

const views = {
  overview: {
    mount: root => root.append(el("h2", { text: "Queues" }), el("div", { id: "queues" }), el("h2", { text: "Tasks (last minutes)" }), el("div", { id: "activity" })),
    async refresh() {
      const data = await get("api/overview");
      document.getElementById("queues").replaceChildren(table(["queue", { label: "ready", num: 1 }, { label: "in flight", num: 1 }, { label: "delayed", num: 1 }, { label: "dead", num: 1 }],
        data.queues.map(q => el("tr", { "data-queue": q.name }, cell(q.name), num(q.ready), num(q.inFlight), num(q.delayed), num(q.dead)))));
      document.getElementById("activity").replaceChildren(
        data.sharedStore ? table(["task", { label: "enqueued", num: 1 }, { label: "succeeded", num: 1 }, { label: "failed", num: 1 }, { label: "retried", num: 1 }, { label: "per minute", num: 1 }, { label: "failure rate", num: 1 }],
          data.tasks.map(t => el("tr", {}, cell(t.name), num(t.enqueued), num(t.succeeded), num(t.failed), num(t.retried), num(t.perMinute), num((t.failureRate * 100).toFixed(1) + "%"))))
          : el("p", { text: "No shared store: task activity is not recorded where this dashboard can read it." }),
        el("p", { text: `Counts over the last ${data.windowMinutes} minutes.` }));
    },
  },
  workers: {
    mount: root => root.append(el("h2", { text: "Workers" }), el("div", { id: "workers" }), el("h2", { text: "Running tasks" }), el("div", { id: "running" })),
    async refresh() {
      const data = await get("api/workers");
      const rows = data.workers.map(({ status, worker: w }) => el("tr", { "data-worker": w.id },
        cell(w.id), el("td", { class: "status-" + status, text: status }), cell(w.queues.map(q => w.pausedQueues.includes(q) ? q + " (paused)" : q).join(", ")),
        num(w.concurrency), num(w.inFlightCount), num(w.processed), num(w.failed), num((w.memoryBytes / 1048576).toFixed(1) + " Mi"), cell(ago(w.heartbeatAt)), cell(w.version)));
      document.getElementById("workers").replaceChildren(data.sharedStore
        ? table(["worker", "status", "queues", { label: "slots", num: 1 }, { label: "running", num: 1 }, { label: "processed", num: 1 }, { label: "failed", num: 1 }, { label: "memory", num: 1 }, "heartbeat", "version"], rows)
        : el("p", { text: "No shared store: workers cannot be seen from here." }));
      const running = data.workers.filter(x => x.status === "online" || x.status === "draining")
        .flatMap(({ worker: w }) => w.inFlight.map(t => el("tr", { "data-task-id": t.id }, cell(w.id), el("td", {}, el("a", { href: "#task/" + t.id, text: t.id })), cell(t.name), cell(t.queue), num(t.attempt), cell(ago(t.startedAt).replace(" ago", "")))));
      document.getElementById("running").replaceChildren(table(["worker", "task id", "task", "queue", { label: "attempt", num: 1 }, "running for"], running));
    },
  },
  tasks: {
    mount(root) {
      const states = ["", "Queued", "Started", "Succeeded", "Retried", "Failed", "DeadLettered", "Revoked", "Expired"];
      root.append(el("h2", { text: "Tasks" }),
        el("form", { class: "inline", id: "task-search", onsubmit: e => { e.preventDefault(); refresh(); } },
          el("input", { id: "search-id", placeholder: "task id" }),
          el("input", { id: "search-name", placeholder: "task name" }),
          el("select", { id: "search-state" }, states.map(s => el("option", { value: s, text: s || "any state" }))),
          el("button", { type: "submit", text: "Search" })),
        el("div", { id: "tasks" }));
    },
    async refresh() {
      const id = document.getElementById("search-id").value.trim();
      if (id) { location.hash = "#task/" + encodeURIComponent(id); return; }
      const query = new URLSearchParams({ limit: "100" });
      const name = document.getElementById("search-name").value.trim();
      const taskState = document.getElementById("search-state").value;
      if (name) query.set("name", name);
      if (taskState) query.set("state", taskState);
      const data = await get("api/tasks?" + query);
      document.getElementById("tasks").replaceChildren(data.sharedStore
        ? table(["task id", "task", "state", { label: "attempt", num: 1 }, "updated", "worker", { label: "duration", num: 1 }, "progress", ""],
          data.tasks.map(r => el("tr", { "data-task-id": r.taskId, "data-state": r.state },
            el("td", {}, el("a", { href: "#task/" + r.taskId, text: r.taskId })), cell(r.taskName), el("td", { class: "state-" + r.state, text: r.state }), num(r.attempt),
            cell(time(r.updatedAt)), cell(r.worker), num(r.durationMs == null ? "" : r.durationMs.toFixed(1) + " ms"), cell(progress(r)),
            el("td", {}, r.state === "Queued" || r.state === "Started" ? actionButton("Revoke", () => revoke({ taskId: r.taskId }), { "data-action": "revoke" }) : null))))
        : el("p", { text: "No shared store: the recent-tasks index is not where this dashboard can read it." }));
    },
  },
  task: {
    mount: root => root.append(el("h2", { text: "Task" }), el("div", { id: "task" })),
    async refresh(id) {
      let data;
      try { data = await get("api/tasks/" + encodeURIComponent(id)); } catch (e) { document.getElementById("task").replaceChildren(el("p", { text: e.message })); return; }
      const r = data.record || {}, res = data.result;
      const rows = [["id", id], ["task", r.taskName], ["queue", r.queue], ["state", r.state], ["attempt", r.attempt], ["enqueued", time(r.enqueuedAt)], ["started", time(r.startedAt)],
        ["finished", time(r.finishedAt)], ["worker", r.worker], ["duration", r.durationMs == null ? "" : r.durationMs.toFixed(1) + " ms"], ["progress", progress(r)],
        ["trace id", r.traceId], ["exception", r.exceptionType ? r.exceptionType + ": " + r.exceptionMessage : ""]]
        .map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", { "data-field": k, class: k === "state" ? "state-" + v : null, text: v ?? "" })));
      document.getElementById("task").replaceChildren(table(["", ""], rows),
        el("h2", { text: "Args" }), el("pre", { id: "task-args", text: r.argsMasked ? "(masked)" : r.args ?? "(not recorded)" }),
        el("h2", { text: "Result" }), el("pre", { id: "task-result", text: res ? (res.succeeded ? res.resultJson ?? "null" : "failed: " + res.exceptionType + ": " + res.exceptionMessage) : "(none stored)" }),
        r.state === "Queued" || r.state === "Started" ? actionButton("Revoke", () => revoke({ taskId: id }), { "data-action": "revoke" }) : null);
    },
  },
  "dead-letters": {
    mount: root => root.append(el("h2", { text: "Dead letters" }), el("div", { id: "dead-letters" })),
    async refresh() {
      const letters = await get("api/dead-letters?limit=100");
      const act2 = (path, id, verb) => async () => { const done = await act(path, { ids: [id] }); if (done) message(verb + " " + id, true); refresh(); };
      document.getElementById("dead-letters").replaceChildren(table(["task", "task id", "queue", { label: "attempt", num: 1 }, "reason", "when", "args", ""],
        letters.map(d => el("tr", { "data-dead-letter": d.id, "data-task-id": d.taskId },
          cell(d.task), el("td", {}, d.taskId ? el("a", { href: "#task/" + d.taskId, text: d.taskId }) : ""), cell(d.queue), num(d.attempt), cell(d.reason), cell(time(d.at)), cell(d.args),
          el("td", {}, actionButton("Replay", act2("dead-letters/replay", d.id, "replayed"), { "data-action": "replay" }), " ",
            actionButton("Delete", act2("dead-letters/delete", d.id, "deleted"), { "data-action": "delete" }))))),
        el("p", { text: `${letters.length} shown (at most 100).` }));
    },
  },
  revocations: {
    mount(root) {
      root.append(el("h2", { text: "Revocations" }),
        el("form", { class: "inline", onsubmit: e => { e.preventDefault(); const v = document.getElementById("revoke-name").value.trim(); if (v) revoke({ taskName: v }); } },
          el("input", { id: "revoke-name", placeholder: "task name: revoke every task of it" }), actionButton("Revoke by name", null, { type: "submit" })),
        el("div", { id: "revocations" }));
    },
    async refresh() {
      const data = await get("api/revocations");
      document.getElementById("revocations").replaceChildren(!data.sharedStore ? el("p", { text: "No shared store: revocations cannot be read here." }) : el("div", {},
        table(["revoked task name", "tasks enqueued until"], data.names.map(n => el("tr", {}, cell(n.name), cell(time(n.until))))),
        table([`revoked task ids (${data.idCount})`], data.ids.map(id => el("tr", { "data-revoked": id }, el("td", {}, el("a", { href: "#task/" + id, text: id })))))));
    },
  },
  schedules: {
    mount: root => root.append(el("h2", { text: "Schedules" }), el("div", { id: "schedules" })),
    async refresh() {
      const schedules = await get("api/schedules");
      document.getElementById("schedules").replaceChildren(schedules.length === 0 ? el("p", { text: "No schedules configured here (Celeriac:Schedules); a TaskQueue's schedules show under TaskQueues." })
        : table(["schedule", "task", "when", "last run", "next run", "last task"], schedules.map(s => el("tr", {}, cell(s.name), cell(s.task), cell(s.when), cell(time(s.lastRun)),
          cell(time(s.nextRun) + (s.missed ? " (missed)" : "")), el("td", {}, s.lastTaskId ? el("a", { href: "#task/" + s.lastTaskId, text: s.lastTaskId }) : "")))));
    },
  },
  taskqueues: {
    mount: root => root.append(el("h2", { text: "TaskQueues" }), el("div", { id: "taskqueues" })),
    async refresh() {
      const data = await get("api/taskqueues");
      if (!data.available) { document.getElementById("taskqueues").replaceChildren(el("p", { text: "Not available: " + data.message })); return; }
      document.getElementById("taskqueues").replaceChildren(...data.items.map(q => el("div", {},
        el("h2", { text: `${q.ns}/${q.name}` }),
        table(["condition", "status", "reason", "message"], (q.conditions || []).map(c => el("tr", {}, cell(c.type), cell(c.status), cell(c.reason), cell(c.message)))),
        table(["pool", { label: "replicas", num: 1 }, { label: "desired", num: 1 }, { label: "depth", num: 1 }], (q.pools || []).map(p => el("tr", {}, cell(p.name), num(p.replicas), num(p.desiredReplicas), num(p.queueDepth)))))));
    },
  },
};

function route() {
  const hash = decodeURIComponent(location.hash.slice(1)) || "overview";
  const [name, ...rest] = hash.split("/");
  return { name: views[name] ? name : "overview", arg: rest.join("/") };
}

async function refresh() {
  const { name, arg } = route();
  try {
    await views[name].refresh(arg);
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    message(e.message, false);
  }
}

function show() {
  const { name } = route();
  document.querySelectorAll("header nav a").forEach(a => a.classList.toggle("active", a.getAttribute("href") === "#" + name || (name === "task" && a.getAttribute("href") === "#tasks")));
  const root = document.getElementById("view");
  root.replaceChildren();
  root.dataset.view = name;
  views[name].mount(root);
  message("");
  refresh();
}

async function start() {
  state.config = await get("api/config");
  const tokenState = document.getElementById("token-state");
  if (state.config.readOnly) {
    document.getElementById("token-form").replaceChildren(el("span", { id: "token-state", text: "read-only" }));
  } else {
    if (sessionStorage.getItem("celeriac-token")) tokenState.textContent = "token set";
    document.getElementById("token-form").addEventListener("submit", async e => {
      e.preventDefault();
      sessionStorage.setItem("celeriac-token", document.getElementById("token").value.trim());
      document.getElementById("token").value = "";
      const ok = await act("check");
      tokenState.textContent = ok ? "token accepted" : "token refused";
      if (ok) message("", true);
    });
  }
  window.addEventListener("hashchange", show);
  show();
  state.timer = setInterval(refresh, Math.max(1000, state.config.refreshMs));
}

start();
