// zpy view: one column per VM, one timeline for all of them. Read-only: the only message a
// page sends is where its hexdump window is.
"use strict";

const WINDOW_US = 10e6;        // the timeline shows the last 10 s
const KEEP_EVENTS = 3000;      // events kept for the timeline
const LIST_EVENTS = 60;        // events listed under it
const CONSOLE_CHARS = 60000;
const LOG_LINE = /^(\[\d\d:\d\d:\d\d\.\d{3},\d{3}\] )?<(err|wrn|inf|dbg)> |^([EWID]): /;
const MINIMAL = { E: "err", W: "wrn", I: "inf", D: "dbg" };

const vms = [];
let events = [];
let nowUs = 0;
let clockOffsetMs = null;     // Date.now() - the VMs' monotonic clock (one host: one clock)

function esc(text) {
  return String(text ?? "").replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function hex(n, digits = 8) { return "0x" + n.toString(16).padStart(digits, "0"); }

// -- one VM ------------------------------------------------------------------------------

class Vm {
  constructor(index, label, wsUrl) {
    this.index = index;
    this.label = label;
    this.url = wsUrl;
    this.el = document.getElementById("vm-template").content.firstElementChild.cloneNode(true);
    this.el.dataset.label = label;
    this.el.querySelector(".label").textContent = label;
    document.getElementById("vms").appendChild(this.el);
    this.hello = null;
    this.threads = new Map();   // id -> "state|wait" last shown
    this.consoleText = "";
    this.logText = "";
    this.partial = "";
    this.windows = new Map();   // device -> {offset, rows}
    this.tries = 0;
    this.opened = false;
    this.setStatus("waiting", "connecting…");
    this.connect();
  }

  setStatus(kind, text) {
    const s = this.el.querySelector(".status");
    s.className = "status " + kind;
    s.textContent = text;
  }

  connect() {
    const url = this.url.startsWith("ws") ? this.url
      : (location.protocol === "https:" ? "wss://" : "ws://") + location.host + this.url;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => { this.opened = true; this.setStatus("running", "running"); };
    ws.onmessage = (m) => this.receive(JSON.parse(m.data));
    ws.onclose = () => {
      if (!this.opened && this.tries++ < 100) {   // its VM may not be up yet
        setTimeout(() => this.connect(), 300);
      } else if (!this.ended) {
        this.setStatus("ended", this.opened ? "ended (connection lost)" : "not reachable");
      }
    };
  }

  receive(msg) {
    if (msg.type === "hello") this.onHello(msg);
    else if (msg.type === "update") this.onUpdate(msg);
    else if (msg.type === "window") this.onWindow(msg);
    else if (msg.type === "end") {
      this.ended = true;
      this.setStatus("ended", "ended, exit status " + msg.status);
    }
  }

  onHello(msg) {
    this.hello = msg;
    const mem = this.el.querySelector(".memories");
    mem.innerHTML = "";
    for (const m of msg.memories) mem.appendChild(this.memoryBox(m));
    this.facts();
  }

  facts(update) {
    const h = this.hello;
    if (!h) return;
    const parts = [`${esc(h.board)}, ${h.cpus} CPU${h.cpus > 1 ? "s" : ""}`,
      `pid ${h.pid}`, `build <code>${esc(h.build)}</code>`,
      h.virtual_time ? "virtual time" : "real time"];
    if (update && update.uptime_ms !== undefined) parts.push(`uptime ${(update.uptime_ms / 1000).toFixed(2)} s`);
    if (update && update.cpus) {
      parts.push(update.cpus.filter(c => c.online).map(c =>
        `CPU ${c.id}: ${esc(c.current)}${c.in_isr ? " (ISR)" : ""}`).join(", "));
    }
    this.el.querySelector(".facts").innerHTML = parts.join(" · ");
  }

  onUpdate(msg) {
    this.facts(msg);
    if (msg.threads) this.showThreads(msg.threads);
    if (msg.devices) this.showDevices(msg.devices);
    if (msg.console) this.addConsole(msg.console);
    for (const ev of msg.events) { ev.vm = this.label; events.push(ev); }
    if (events.length > KEEP_EVENTS) events = events.slice(-KEEP_EVENTS);
    this.counts = msg.counts;
    nowUs = Math.max(nowUs, msg.now_us);
    if (clockOffsetMs === null) clockOffsetMs = Date.now() - msg.now_us / 1000;
    drawTimeline();
    if (msg.halted && !this.ended) this.setStatus("ended", "halted");
  }

  showThreads(threads) {
    const rows = threads.map(t => {
      // k_thread_state_str() as it is: "" for a thread that runs (the CPU column says where)
      const key = t.state + "|" + t.cpu + "|" + JSON.stringify(t.wait);
      const changed = this.threads.has(t.id) && this.threads.get(t.id) !== key;
      this.threads.set(t.id, key);
      let wait = "";
      if (t.wait) {
        wait = `${esc(t.wait.call)}()` + (t.wait.object ? ` on ${esc(t.wait.object)}` : "") +
          (t.wait.at ? `<br><code title="${esc(t.wait.line)}">${esc(t.wait.at)}: ${esc(t.wait.line)}</code>` : "");
      }
      const timeout = t.timeout_ms === null ? (t.pending ? "K_FOREVER" : "") : t.timeout_ms + " ms";
      const cls = ["thread", t.cpu !== null ? "running" : "", changed ? "changed" : ""].join(" ");
      return `<tr class="${cls}" data-name="${esc(t.name)}"><td class="nowrap">${esc(t.name)}</td>` +
        `<td class="num">${t.prio}</td><td class="state ${esc(t.state)}" data-state="${esc(t.state)}">` +
        `${esc(t.state)}${t.cpu !== null ? '<span class="note">(running)</span>' : ""}</td>` +
        `<td class="num">${t.cpu ?? ""}</td><td class="wait">${wait}</td><td class="num">${timeout}</td></tr>`;
    });
    this.el.querySelector(".threads tbody").innerHTML = rows.join("");
  }

  showDevices(devices) {
    let n = 0;
    this.el.querySelector(".devices tbody").innerHTML = devices.map(d => {
      if (d.name === null) {  // a node with a compatible that got no device
        return `<tr class="device none" data-node="${esc(d.node)}"><td></td>` +
          `<td colspan="5">${esc(d.node)}: ${esc(d.why)}</td></tr>`;
      }
      const cls = d.ready ? "ready" : "not-ready";
      const state = esc(d.why) + (d.log.length ? `<br><code>${d.log.map(esc).join("<br>")}</code>` : "");
      const init = d.init ? `${esc(d.init)}()` : "";
      const level = d.level ? `${esc(d.level)} ${d.priority}` : "";
      return `<tr class="device ${cls}" data-name="${esc(d.name)}"><td class="num">${++n}</td>` +
        `<td>${esc(d.name)}</td><td>${esc(d.node ?? "")}</td><td>${init}</td>` +
        `<td class="nowrap">${level}</td><td class="state">${state}</td></tr>`;
    }).join("");
  }

  addConsole(text) {
    this.consoleText = (this.consoleText + text).slice(-CONSOLE_CHARS);
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop();
    for (const line of lines) {
      const m = LOG_LINE.exec(line.replace(/\r$/, ""));
      if (m) this.logText += `<span class="${m[2] || MINIMAL[m[3]]}">${esc(line)}</span>\n`;
    }
    this.logText = this.logText.slice(-CONSOLE_CHARS);
    for (const [sel, html] of [[".console", esc(this.consoleText)], [".log", this.logText]]) {
      const pre = this.el.querySelector(sel);
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.innerHTML = html;
      if (atEnd) pre.scrollTop = pre.scrollHeight;
    }
  }

  // -- shared memory ---------------------------------------------------------------------

  memoryBox(m) {
    const box = document.createElement("div");
    box.className = "memory";
    box.dataset.device = m.device;
    box.innerHTML = `<h3>Shared memory: ${esc(m.device)} <span class="note">${esc(m.flavour)}, ` +
      `${esc(m.human)}, peer ${m.peer}</span></h3><div class="sections"></div><div class="hexdump"></div>`;
    const bar = box.querySelector(".sections");
    for (const s of m.sections) {
      const b = document.createElement("button");
      b.style.background = s.fill;
      b.style.borderColor = s.stroke;
      b.textContent = `${s.name}${s.own ? " (ours)" : ""} @${hex(s.offset, 0)}, ${s.human}`;
      b.onclick = () => this.moveWindow(m.device, s.offset);
      bar.appendChild(b);
    }
    const input = document.createElement("input");
    input.placeholder = "offset";
    input.title = "show the bytes at this offset (hex with 0x, or decimal)";
    input.onchange = () => this.moveWindow(m.device, Number(input.value));
    bar.appendChild(input);
    return box;
  }

  moveWindow(device, offset) {
    if (Number.isFinite(offset) && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ window: { device, offset } }));
    }
  }

  sectionAt(device, offset) {
    const m = this.hello.memories.find(x => x.device === device);
    return m.sections.find(s => offset >= s.offset && offset < s.offset + s.size);
  }

  onWindow(msg) {
    const box = this.el.querySelector(`.memory[data-device="${CSS.escape(msg.device)}"] .hexdump`);
    if (!box) return;
    const before = this.windows.get(msg.device);
    const old = new Map(before && before.offset === msg.offset ? before.rows.map(r => [r.offset, r.hex]) : []);
    this.windows.set(msg.device, msg);
    box.innerHTML = msg.rows.map(r => {
      const s = this.sectionAt(msg.device, r.offset);
      const style = s ? `background:${s.fill};border-left:3px solid ${s.stroke}` : "";
      const prev = old.get(r.offset);
      const bytes = r.hex.split(" ").map((b, i) =>
        prev !== undefined && prev.split(" ")[i] !== b ? `<b>${b}</b>` : b).join(" ");
      return `<div class="row" data-offset="${r.offset}" style="${style}" title="${esc(s ? s.name : "")}">` +
        `<span class="off">${hex(r.offset)}</span>  ${bytes}  |${esc(r.ascii)}|</div>`;
    }).join("");
  }
}

// -- the timeline of every VM ------------------------------------------------------------

function eventText(ev) {
  const date = new Date(ev.t_us / 1000 + (clockOffsetMs ?? 0));
  const t = date.toTimeString().slice(0, 8) + "." + String(date.getMilliseconds()).padStart(3, "0");
  if (ev.kind === "sent") return `${t} ${ev.vm}: ${ev.device} rang peer ${ev.peer} vector ${ev.vector}`;
  if (ev.kind === "received") return `${t} ${ev.vm}: ${ev.device} was rung on vector ${ev.vector}`;
  return `${t} ${ev.vm}: interrupt ${hex(ev.vector, 2)}` + (ev.isr ? ` → ISR ${ev.isr}` : "");
}

function drawTimeline() {
  const svg = document.getElementById("timeline");
  const lanes = [];
  for (const vm of vms) {
    for (const lane of Object.keys(vm.counts || {}).sort()) lanes.push([vm.label, lane]);
  }
  const laneH = 18, labelW = 330, top = 16;
  const width = svg.clientWidth || 900;
  const height = top + Math.max(1, lanes.length) * laneH + 6;
  svg.setAttribute("height", height);
  const start = nowUs - WINDOW_US;
  const x = t => labelW + (width - labelW - 8) * (t - start) / WINDOW_US;
  const index = new Map(lanes.map(([vm, lane], i) => [vm + "|" + lane, i]));
  let out = "";
  for (let s = 0; s <= 10; s++) {
    const xs = labelW + (width - labelW - 8) * s / 10;
    out += `<line x1="${xs}" y1="${top - 4}" x2="${xs}" y2="${height}" stroke="#eee"/>` +
      `<text x="${xs}" y="11" text-anchor="middle">${s - 10} s</text>`;
  }
  lanes.forEach(([vm, lane], i) => {
    out += `<text x="4" y="${top + i * laneH + 13}">${esc(vm)}: ${esc(lane)}</text>`;
  });
  if (!lanes.length) out += `<text x="4" y="${top + 13}">no doorbell or interrupt yet</text>`;
  for (const ev of events) {
    if (ev.t_us < start) continue;
    const i = index.get(ev.vm + "|" + ev.lane);
    if (i === undefined) continue;
    out += `<rect class="${ev.kind}" x="${x(ev.t_us).toFixed(1)}" y="${top + i * laneH + 3}" width="2" height="${laneH - 6}"/>`;
  }
  svg.innerHTML = out;

  const list = events.slice(-LIST_EVENTS).reverse();
  document.getElementById("events").innerHTML = list.map(ev =>
    `<li class="${ev.kind}" data-kind="${ev.kind}" data-vm="${esc(ev.vm)}">${esc(eventText(ev))}</li>`).join("");
  document.querySelector("#counts tbody").innerHTML = lanes.map(([vm, lane]) => {
    const owner = vms.find(v => v.label === vm);
    return `<tr data-vm="${esc(vm)}" data-lane="${esc(lane)}"><td>${esc(vm)}</td><td>${esc(lane)}</td>` +
      `<td class="num">${owner.counts[lane]}</td></tr>`;
  }).join("");
}

// -- start ---------------------------------------------------------------------------------

fetch("/config.json").then(r => r.json()).then(config => {
  config.vms.forEach((v, i) => vms.push(new Vm(i, v.label, v.ws)));
  document.getElementById("window-s").textContent = WINDOW_US / 1e6;
  drawTimeline();
});
