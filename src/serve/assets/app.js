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
    r.appendChild(el("td", p.message));
    r.appendChild(el("td", p.hint));
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

document.addEventListener("DOMContentLoaded", () => {
  const up = document.getElementById("upload-button");
  if (up) up.addEventListener("click", () => upload());
  const sb = document.getElementById("solve-button");
  if (sb) sb.addEventListener("click", () => solve(sb));
  const box = document.getElementById("run");
  if (box) follow(box);
  const cb = document.getElementById("cancel-button");
  if (cb) cb.addEventListener("click", () => cancel(cb));
});
