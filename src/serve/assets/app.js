// profnet's workspace page script: uploads, solves, progress. No library, no network
// access beyond this server. Every text from the server is put in with textContent,
// never as markup.
"use strict";

function csrf() {
  const m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.content : "";
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

// A cell with the Russian text of a problem and its English detail (ids, figures) under it.
function ruOrDetail(ru, detail) {
  const td = el("td", ru || detail);
  if (ru && detail) {
    td.appendChild(document.createElement("br"));
    const s = el("small", detail, "muted");
    s.lang = "en";
    td.appendChild(s);
  }
  return td;
}

// The problems of a refused upload as a table: where, row, column, code, what, what to do.
function problemsTable(problems) {
  const t = el("table", null, "problems");
  const head = t.createTHead().insertRow();
  for (const h of ["", "Где", "Строка", "Столбец", "Код", "Что не так", "Что сделать"]) head.appendChild(el("th", h));
  const body = t.createTBody();
  for (const p of problems) {
    const r = body.insertRow();
    r.className = p.severity;
    r.appendChild(el("td", p.severity === "error" ? "ошибка" : "предупреждение"));
    r.appendChild(el("td", p.sheet ? "лист «" + p.sheet + "»" : p.file));
    r.appendChild(el("td", p.row === null ? "" : p.row));
    r.appendChild(el("td", (p.column || "") + (p.cell ? " (" + p.cell + ")" : "")));
    const code = el("td"); code.appendChild(el("code", p.code)); r.appendChild(code);
    r.appendChild(ruOrDetail(p.title_ru, p.message));
    r.appendChild(ruOrDetail(p.todo_ru, p.hint));
  }
  return t;
}

async function upload() {
  const input = document.getElementById("upload-file");
  const out = document.getElementById("upload-result");
  out.replaceChildren();
  if (!input.files.length) { out.appendChild(el("p", "Выберите файл: книгу .xlsx или zip-архив.", "error")); return; }
  const file = input.files[0];
  out.appendChild(el("p", "Загрузка и проверка…", "muted"));
  const res = await fetch("/api/networks", {
    method: "POST",
    headers: { "X-CSRF-Token": csrf(), "X-Filename": encodeURIComponent(file.name) },
    body: file,
  });
  const body = await res.json().catch(() => ({ error: "ответ сервера не прочитан" }));
  out.replaceChildren();
  if (res.status === 201) { location.href = "/networks/" + body.id; return; }
  if (res.status === 422) {
    const n = body.problems.filter((p) => p.severity === "error").length;
    out.appendChild(el("p", "Ошибок в файле: " + n + ". Исправьте их в Excel и загрузите снова.", "error"));
    if (/\.xlsx$/i.test(file.name) && body.problems.some((p) => p.sheet)) {
      const b = el("button", "Скачать книгу с отмеченными ошибками");
      b.type = "button";
      b.id = "marked-button";
      b.addEventListener("click", () => marked(file));
      out.appendChild(b);
    }
    out.appendChild(problemsTable(body.problems));
    return;
  }
  out.appendChild(el("p", "Файл не принят: " + (body.error || res.status), "error"));
}

// The workbook back with the problems marked, saved as a download.
async function marked(file) {
  const res = await fetch("/api/marked.xlsx", {
    method: "POST",
    headers: { "X-CSRF-Token": csrf(), "X-Filename": encodeURIComponent(file.name) },
    body: file,
  });
  if (!res.ok) return;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = file.name.replace(/\.xlsx$/i, "") + " — ошибки.xlsx";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function solve(button) {
  const out = document.getElementById("solve-result");
  const limit = Number(document.getElementById("time-limit").value);
  button.disabled = true;
  const res = await fetch("/api/networks/" + button.dataset.network + "/solve", {
    method: "POST",
    headers: { "X-CSRF-Token": csrf(), "Content-Type": "application/json" },
    body: JSON.stringify({ time_limit: limit }),
  });
  const body = await res.json().catch(() => ({}));
  if (res.status === 202) { location.href = "/runs/" + body.run; return; }
  button.disabled = false;
  out.replaceChildren(el("p", "Не удалось начать: " + (body.error || res.status), "error"));
}

const STATES = { queued: "в очереди", running: "идёт поиск", done: "готов", failed: "не получилось", cancelled: "отменён" };

function follow(box) {
  const run = box.dataset.run;
  if (["done", "failed", "cancelled"].includes(box.dataset.state)) return;
  const src = new EventSource("/api/runs/" + run + "/events");
  src.addEventListener("status", (ev) => {
    const s = JSON.parse(ev.data);
    document.getElementById("bar").value = s.progress.fraction;
    document.getElementById("state").textContent = STATES[s.state] || s.state;
    document.getElementById("stage").textContent = s.progress.stage;
    document.getElementById("elapsed").textContent =
      Math.round(s.progress.elapsed) + " из " + Math.round(s.progress.time_limit) + " с";
    box.dataset.state = s.state;
    if (["done", "failed", "cancelled"].includes(s.state)) { src.close(); location.reload(); }
  });
}

async function cancel(button) {
  const run = document.getElementById("run").dataset.run;
  button.disabled = true;
  await fetch("/api/runs/" + run, { method: "DELETE", headers: { "X-CSRF-Token": csrf() } });
}

// A file's bytes as base64 (for the scenario form's partner file).
function base64Of(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ""));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

function picked(cls) {
  return Array.from(document.querySelectorAll("input." + cls + ":checked")).map((c) => c.value);
}

function numberOf(id) {
  const v = document.getElementById(id).value.trim();
  return v === "" ? null : Number(v);
}

async function makeScenario(button) {
  const out = document.getElementById("scn-result");
  out.replaceChildren(el("p", "Создание и проверка сценария…", "muted"));
  const form = {
    name: document.getElementById("scn-name").value,
    remove: {
      schools: picked("scn-school"),
      links: Array.from(document.querySelectorAll("input.scn-link:checked")).map((c) => [c.value, c.dataset.to]),
      teachers: picked("scn-teacher"),
      rooms: picked("scn-room"),
      vehicles: picked("scn-vehicle"),
    },
    min_group: numberOf("scn-min-group"),
    max_group: numberOf("scn-max-group"),
    wants: numberOf("scn-wants"),
    distance: picked("scn-distance"),
    partner: null,
  };
  const file = document.getElementById("scn-partner").files[0];
  if (file) form.partner = { filename: file.name, data: await base64Of(file) };
  button.disabled = true;
  const res = await fetch("/api/networks/" + button.dataset.network + "/scenarios", {
    method: "POST",
    headers: { "X-CSRF-Token": csrf(), "Content-Type": "application/json" },
    body: JSON.stringify(form),
  });
  const body = await res.json().catch(() => ({ error: "ответ сервера не прочитан" }));
  button.disabled = false;
  out.replaceChildren();
  if (res.status === 201) { location.href = "/networks/" + body.id; return; }
  if (res.status === 422) {
    out.appendChild(el("p", "Сценарий не создан: в нём ошибки.", "error"));
    out.appendChild(problemsTable(body.problems));
    return;
  }
  out.appendChild(el("p", "Сценарий не создан: " + (body.error || res.status), "error"));
}

async function replan(button) {
  const out = document.getElementById("replan-result");
  const periods = picked("chg-period").map(Number);
  const choices = [];
  for (const line of document.getElementById("chg-choices").value.split("\n")) {
    if (!line.trim()) continue;
    const i = line.indexOf(":");
    if (i < 0) { out.replaceChildren(el("p", "Строка «" + line + "»: нужно «код ученика: курсы».", "error")); return; }
    choices.push({ student: line.slice(0, i).trim(), choices: line.slice(i + 1).split(/[\s,;]+/).filter((c) => c) });
  }
  const form = {
    absent_teachers: picked("chg-teacher").map((id) => ({ id, periods })),
    closed_links: Array.from(document.querySelectorAll("input.chg-link:checked")).map((c) => [c.value, c.dataset.to]),
    closed_rooms: picked("chg-room"),
    closed_schools: picked("chg-school"),
    broken_vehicles: picked("chg-vehicle"),
    choice_changes: choices,
    time_limit: Number(document.getElementById("chg-time-limit").value),
  };
  button.disabled = true;
  out.replaceChildren(el("p", "Проверка изменения…", "muted"));
  const res = await fetch("/api/runs/" + button.dataset.run + "/replan", {
    method: "POST",
    headers: { "X-CSRF-Token": csrf(), "Content-Type": "application/json" },
    body: JSON.stringify(form),
  });
  const body = await res.json().catch(() => ({ error: "ответ сервера не прочитан" }));
  button.disabled = false;
  out.replaceChildren();
  if (res.status === 202) { location.href = "/runs/" + body.run; return; }
  if (res.status === 422) {
    out.appendChild(el("p", "Изменение не принято: в нём ошибки.", "error"));
    out.appendChild(problemsTable(body.problems));
    return;
  }
  out.appendChild(el("p", "Не удалось: " + (body.error || res.status), "error"));
}

async function removeNetwork(button) {
  if (!confirm("Удалить вместе со всеми планами? Это не отменить.")) return;
  const res = await fetch("/api/networks/" + button.dataset.network, { method: "DELETE", headers: { "X-CSRF-Token": csrf() } });
  if (res.status === 204) { location.href = button.dataset.back; return; }
  const body = await res.json().catch(() => ({}));
  button.after(el("span", " Не удалено: " + (body.error || res.status), "error"));
}

document.addEventListener("DOMContentLoaded", () => {
  const rm = document.getElementById("remove-button");
  if (rm) rm.addEventListener("click", () => removeNetwork(rm));
  const rp = document.getElementById("replan-button");
  if (rp) rp.addEventListener("click", () => replan(rp));
  const scn = document.getElementById("scn-button");
  if (scn) scn.addEventListener("click", () => makeScenario(scn));
  const up = document.getElementById("upload-button");
  if (up) up.addEventListener("click", () => upload());
  const sb = document.getElementById("solve-button");
  if (sb) sb.addEventListener("click", () => solve(sb));
  const box = document.getElementById("run");
  if (box) follow(box);
  const cb = document.getElementById("cancel-button");
  if (cb) cb.addEventListener("click", () => cancel(cb));
});
