//! The workspace's pages, in Russian, rendered with maud: every value a user supplied
//! (names, ids, file names, messages that quote cells) is escaped by construction. The
//! page script (`app.js`) and styles (`app.css`) are ours and embedded; the script
//! uploads, starts and cancels solves and follows their progress (server-sent events).

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::runs::{Run, State};
use super::workspace::NetworkInfo;
use super::App;
use crate::diag::{Diagnostic, InvalidInput};
use crate::lang::Lang;
use crate::model::Network;
use crate::plan::kpi::CATALOGUE;

pub const APP_JS: &str = include_str!("assets/app.js");
pub const APP_CSS: &str = include_str!("assets/app.css");

fn layout(app: Option<&App>, title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="ru" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(app) = app {
                    meta name="csrf-token" content=(app.csrf);
                }
                title { (title) " — profnet" }
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "profnet" }
                    span.sub { "сетевое профильное обучение: рабочее место" }
                    nav { a href="/" { "Сети" } }
                }
                main { (body) }
            }
        }
    }
    .into_string()
}

/// A Unix time as `ДД.ММ.ГГГГ ЧЧ:ММ` (UTC).
fn when(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let (h, m) = ((secs % 86400) / 3600, (secs % 3600) / 60);
    // Civil date from days since 1970 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{d:02}.{mo:02}.{y} {h:02}:{m:02}")
}

pub fn login(error: Option<&str>) -> String {
    layout(
        None,
        "Вход",
        html! {
            h1 { "Вход" }
            form.card method="post" action="/login" {
                label { "Пароль доступа " input type="password" name="password" autofocus required; }
                button type="submit" { "Войти" }
                @if let Some(e) = error { p.error { (e) } }
            }
        },
    )
}

pub fn missing(app: &App) -> String {
    layout(
        Some(app),
        "Не найдено",
        html! { h1 { "Не найдено" } p { a href="/" { "К списку сетей" } } },
    )
}

/// The table of problems: where (file or sheet, row, column), what, what to do.
pub fn problems_table(diags: &[Diagnostic]) -> Markup {
    html! {
        table.problems {
            thead { tr { th { "" } th { "Где" } th { "Строка" } th { "Столбец" } th { "Код" } th { "Что не так" } th { "Что сделать" } } }
            tbody {
                @for d in diags {
                    tr class=(if d.is_error() { "error" } else { "warning" }) {
                        td { (if d.is_error() { "ошибка" } else { "предупреждение" }) }
                        td { @if let Some(s) = &d.sheet { "лист «" (s) "»" } @else { (d.file) } }
                        td { @if let Some(r) = d.row { (r) } }
                        td { @if let Some(c) = &d.column { (c) } @if let Some(c) = &d.cell { " (" (c) ")" } }
                        td { code { (d.code) } }
                        td { (d.message) }
                        td { (d.hint) }
                    }
                }
            }
        }
    }
}

pub fn networks(app: &App) -> String {
    let list = app.workspace.networks();
    layout(
        Some(app),
        "Сети",
        html! {
            h1 { "Сети" }
            section.card {
                h2 { "Загрузить сеть" }
                p { "Книга Excel (.xlsx) со всеми листами сети или zip-архив папки с CSV-файлами. "
                    a href="/api/template.xlsx" id="template-link" { "Скачать шаблон книги" } }
                div.upload {
                    input type="file" id="upload-file" accept=".xlsx,.zip";
                    button id="upload-button" type="button" { "Загрузить" }
                }
                div id="upload-result" {}
            }
            section {
                h2 { "Сети рабочего места" }
                @if list.is_empty() {
                    p.muted { "Пока ни одной: загрузите книгу сети." }
                } @else {
                    table.list {
                        thead { tr { th { "Сеть" } th { "Файл" } th { "Загружена" } th { "Планов" } } }
                        tbody {
                            @for n in &list {
                                tr {
                                    td { a.network-link href={ "/networks/" (n.id) } { (n.name) } }
                                    td { (n.source) }
                                    td { (when(n.created)) }
                                    td { (app.runs.of_network(&n.id).len()) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn network(
    app: &App,
    info: &NetworkInfo,
    loaded: Result<(Network, Vec<Diagnostic>), InvalidInput>,
) -> String {
    let runs = app.runs.of_network(&info.id);
    layout(
        Some(app),
        &info.name,
        html! {
            p.crumbs { a href="/" { "Сети" } " / " (info.name) }
            h1 { (info.name) }
            @match &loaded {
                Ok((net, warnings)) => {
                    p.facts {
                        (net.schools.len()) " школ и организаций · " (net.links.len()) " дорог · "
                        (net.rooms.len()) " кабинетов · " (net.courses.len()) " курсов · "
                        (net.teachers.len()) " учителей · " (net.students.len()) " учеников · "
                        (net.vehicles.len()) " автобусов"
                    }
                    section.card {
                        h2 { "Составить план" }
                        label { "Время на поиск: "
                            select id="time-limit" {
                                option value="30" { "30 секунд" }
                                option value="60" selected { "1 минута" }
                                option value="120" { "2 минуты" }
                                option value="300" { "5 минут" }
                            }
                        }
                        " "
                        button id="solve-button" type="button" data-network=(info.id) { "Составить план" }
                        div id="solve-result" {}
                    }
                    @if !warnings.is_empty() {
                        section {
                            h2 { "Предупреждения (" (warnings.len()) ")" }
                            p.muted { "План можно составить, но эти места стоит проверить." }
                            (problems_table(warnings))
                        }
                    }
                }
                Err(e) => {
                    section { h2 { "Ошибки" } (problems_table(&e.0)) }
                }
            }
            section {
                h2 { "Планы" }
                @if runs.is_empty() {
                    p.muted { "Планов ещё нет." }
                } @else {
                    table.list {
                        thead { tr { th { "План" } th { "Состояние" } th { "Зачислено" } th { "Запрошено" } th { "Время поиска" } } }
                        tbody {
                            @for r in &runs {
                                @let s = r.status();
                                tr {
                                    td { a.run-link href={ "/runs/" (r.id) } { "план " (r.id) } }
                                    td { (state_ru(s.state)) }
                                    td { @if let Some(k) = s.summary.as_ref() { (k["kpis"]["placements"]) } }
                                    td { @if let Some(k) = s.summary.as_ref() { (k["kpis"]["requested"]) } }
                                    td { (format!("{:.0} с", s.elapsed)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn state_ru(s: State) -> &'static str {
    match s {
        State::Queued => "в очереди",
        State::Running => "идёт поиск",
        State::Done => "готов",
        State::Failed => "не получилось",
        State::Cancelled => "отменён",
    }
}

pub fn run(app: &App, run: &Run) -> String {
    let s = run.status();
    let name = app
        .workspace
        .network(&run.network)
        .map_or_else(|| run.network.clone(), |n| n.name);
    let kpis = (s.state == State::Done)
        .then(|| {
            let (net, _) = app.workspace.load(&run.network).ok()?;
            let disk = crate::planfile::read::read_plan(&net, &run.plan_dir()).ok()?;
            let tt = crate::graph::TravelTimes::new(&net);
            Some((disk.kpis(&net, &tt), !net.vehicles.is_empty()))
        })
        .flatten();
    layout(
        Some(app),
        &format!("План {}", run.id),
        html! {
            p.crumbs { a href="/" { "Сети" } " / " a href={ "/networks/" (run.network) } { (name) } " / план " (run.id) }
            h1 { "План " (run.id) ": " (name) }
            section.card id="run" data-run=(run.id) data-state=(s.state.as_str()) {
                div.progress-row {
                    progress id="bar" max="1" value=(format!("{:.3}", s.progress())) {}
                    span id="state" { (state_ru(s.state)) }
                }
                p id="stage" { (s.stage) }
                p.muted id="elapsed" { (format!("{:.0} из {:.0} с", s.elapsed, s.time_limit)) }
                @if !s.state.is_final() {
                    button id="cancel-button" type="button" { "Остановить и сохранить лучший план" }
                }
                @if let Some(e) = &s.error { p.error { (e) } }
                @if s.stopped_early { p.muted { "Поиск остановлен досрочно: это лучший план, найденный до остановки." } }
            }
            @if let Some((k, fleet)) = &kpis {
                section {
                    h2 { "Итоги" }
                    div.kpis {
                        @for kpi in CATALOGUE.iter().filter(|x| *fleet || !x.fleet) {
                            div.kpi data-kpi=(kpi.key) {
                                div.value { (kpi.show(k, Lang::Ru)) }
                                div.label { (kpi.label(Lang::Ru)) }
                            }
                        }
                    }
                }
                section {
                    h2 { "Скачать" }
                    ul.downloads {
                        li { a id="download-xlsx" href={ "/api/runs/" (run.id) "/plan.xlsx" } { "План в Excel (plan.xlsx)" } }
                        li { a id="download-plan" href={ "/api/runs/" (run.id) "/plan.zip" } { "Файлы плана (plan.zip)" } }
                        li { a id="download-report" href={ "/api/runs/" (run.id) "/report.zip" } { "Все отчёты: календари, ведомости, FET (report.zip)" } }
                        li { a href={ "/runs/" (run.id) "/report/index.html" } target="_blank" { "Отчёт на отдельной странице" } }
                    }
                }
                section {
                    h2 { "Отчёт: карта, расписания школ, группы, невыполненные выборы" }
                    iframe id="report" src={ "/runs/" (run.id) "/report/index.html" } title="Отчёт" {}
                }
            }
            (PreEscaped(""))
        },
    )
}
