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
/// The Russian text of a diagnostic with its English detail (ids, figures) muted under it.
fn ru_or_detail(ru: Option<&str>, detail: &str) -> Markup {
    html! {
        @match ru {
            Some(ru) => { (ru) @if !detail.is_empty() { br; small.muted lang="en" { (detail) } } }
            None => { (detail) }
        }
    }
}

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
                        td { (ru_or_detail(crate::diag_ru::title(d.code), &d.message)) }
                        td { (ru_or_detail(crate::diag_ru::todo(d.code), &d.hint)) }
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
    let base = info.base.as_ref().and_then(|b| app.workspace.network(b));
    let scenarios = app.workspace.scenarios_of(&info.id);
    // The plans of this network and of its scenarios, newest first.
    let mut runs: Vec<(std::sync::Arc<Run>, Option<&NetworkInfo>)> = app
        .runs
        .of_network(&info.id)
        .into_iter()
        .map(|r| (r, None))
        .collect();
    for sc in &scenarios {
        runs.extend(
            app.runs
                .of_network(&sc.id)
                .into_iter()
                .map(|r| (r, Some(sc))),
        );
    }
    runs.sort_by_key(|(r, _)| std::cmp::Reverse(r.id[1..].parse::<u64>().unwrap_or(0)));
    let changes = app
        .workspace
        .scenario_dir(&info.id)
        .map(|d| scenario_changes(&d))
        .unwrap_or_default();
    layout(
        Some(app),
        &info.name,
        html! {
            p.crumbs {
                a href="/" { "Сети" } " / "
                @if let Some(b) = &base { a href={ "/networks/" (b.id) } { (b.name) } " / сценарий " }
                (info.name)
            }
            h1 { @if base.is_some() { "Сценарий: " } (info.name) }
            @if let Some(b) = &base {
                section.card id="scenario-of" {
                    p { "Что если… над сетью " a href={ "/networks/" (b.id) } { (b.name) } ":" }
                    ul { @for c in &changes { li { (c) } } }
                    p.muted { "Файлы сценария лежат в папке рабочего места " code { "networks/" (info.id) "/scenario" }
                        " (scenario.toml и строки CSV): их читает и " code { "profnet compare" } "." }
                }
            }
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
                    @let tt = crate::graph::TravelTimes::new(net);
                    details.card id="network-overview" open[runs.is_empty()] {
                        summary { h2 { "Сеть на карте и досягаемость курсов" } }
                        p.muted { "Кружок — школа или организация (размер — число учащихся), линия — дорога с минутами в пути. Наведите на кружок: сколько выборов её учеников досягаемы." }
                        // Our own rendering: every name in it is escaped by the report's writer.
                        (PreEscaped(crate::reports::html::network_map(net, &tt, Lang::Ru)))
                        (super::overview::reach_table(net, &tt))
                    }
                    @if !warnings.is_empty() {
                        section {
                            h2 { "Предупреждения (" (warnings.len()) ")" }
                            p.muted { "План можно составить, но эти места стоит проверить." }
                            (problems_table(warnings))
                        }
                    }
                    @if base.is_none() {
                        (scenario_form(net, &info.id))
                    }
                }
                Err(e) => {
                    section { h2 { "Ошибки" } (problems_table(&e.0)) }
                }
            }
            @if scenarios.is_empty() {
                p.remove {
                    button.secondary type="button" id="remove-button" data-network=(info.id)
                        data-back=(base.as_ref().map_or_else(|| "/".to_owned(), |b| format!("/networks/{}", b.id))) {
                        @if base.is_some() { "Удалить сценарий" } @else { "Удалить сеть" }
                    }
                    " " span.muted { "вместе с её планами" }
                }
            }
            @if !scenarios.is_empty() {
                section {
                    h2 { "Сценарии «что если»" }
                    table.list.scenarios {
                        thead { tr { th { "Сценарий" } th { "Что меняет" } th { "Планов" } } }
                        tbody {
                            @for sc in &scenarios {
                                tr data-network=(sc.id) {
                                    td { a.scenario-link href={ "/networks/" (sc.id) } { (sc.name) } }
                                    td { @for c in app.workspace.scenario_dir(&sc.id).map(|d| scenario_changes(&d)).unwrap_or_default() { (c) br; } }
                                    td { (app.runs.of_network(&sc.id).len()) }
                                }
                            }
                        }
                    }
                }
            }
            section {
                h2 { "Планы" }
                @if runs.is_empty() {
                    p.muted { "Планов ещё нет." }
                } @else {
                    form method="get" action="/compare" {
                    table.list {
                        thead { tr { th { "" } th { "План" } @if !scenarios.is_empty() { th { "Сеть или сценарий" } } th { "Состояние" } th { "Зачислено" } th { "Запрошено" } th { "Время поиска" } } }
                        tbody {
                            @for (r, sc) in &runs {
                                @let s = r.status();
                                tr {
                                    td { @if s.state == State::Done { input type="checkbox" name="run" value=(r.id) class="compare-pick"; } }
                                    td { a.run-link href={ "/runs/" (r.id) } { "план " (r.id) } }
                                    @if !scenarios.is_empty() { td { @match sc { Some(sc) => { "сценарий «" (sc.name) "»" }, None => { "сеть" } } } }
                                    td { (state_ru(s.state)) }
                                    td { @if let Some(k) = s.summary.as_ref() { (k["kpis"]["placements"]) } }
                                    td { @if let Some(k) = s.summary.as_ref() { (k["kpis"]["requested"]) } }
                                    td { (format!("{:.0} с", s.elapsed)) }
                                }
                            }
                        }
                    }
                    p.muted { "Отметьте план сети и планы сценариев: первый отмеченный — точка отсчёта." }
                    button type="submit" id="compare-button" { "Сравнить отмеченные планы" }
                    }
                }
            }
        },
    )
}

/// What a scenario directory changes, a line each.
fn scenario_changes(dir: &std::path::Path) -> Vec<String> {
    let toml = std::fs::read_to_string(dir.join(crate::input::scenario::SCENARIO_TOML))
        .unwrap_or_default();
    let files: Vec<(String, Vec<u8>)> = super::scenarios::ROW_FILES
        .iter()
        .filter_map(|f| Some(((*f).to_owned(), std::fs::read(dir.join(f)).ok()?)))
        .collect();
    super::scenarios::describe(&toml, &files)
}

/// Checkboxes to pick from: `(value, second id of a pair or empty, label)` each.
fn pick_list(class: &str, items: impl Iterator<Item = (String, String, String)>) -> Markup {
    html! {
        div.picks {
            @for (value, to, label) in items {
                label {
                    @if to.is_empty() { input type="checkbox" class=(class) value=(value); }
                    @else { input type="checkbox" class=(class) value=(value) data-to=(to); }
                    " " (label)
                }
            }
        }
    }
}

/// The network's things as pick lists: schools, roads, teachers, rooms, buses.
struct Picks<'n>(&'n Network);

impl Picks<'_> {
    fn school(&self, s: crate::model::SchoolId) -> &str {
        self.0.schools[s.idx()].name.as_str()
    }
    fn schools(&self, class: &str) -> Markup {
        pick_list(
            class,
            self.0.schools.iter().map(|s| {
                (
                    s.id.clone(),
                    String::new(),
                    format!("{} ({})", s.name, s.id),
                )
            }),
        )
    }
    fn links(&self, class: &str) -> Markup {
        let net = self.0;
        pick_list(
            class,
            net.links.iter().map(|l| {
                (
                    net.schools[l.a.idx()].id.clone(),
                    net.schools[l.b.idx()].id.clone(),
                    format!(
                        "{} — {}, {} мин",
                        self.school(l.a),
                        self.school(l.b),
                        l.minutes
                    ),
                )
            }),
        )
    }
    fn teachers(&self, class: &str) -> Markup {
        pick_list(
            class,
            self.0.teachers.iter().map(|t| {
                (
                    t.id.clone(),
                    String::new(),
                    format!("{} ({}), {}", t.name, t.id, self.school(t.school)),
                )
            }),
        )
    }
    fn rooms(&self, class: &str) -> Markup {
        pick_list(
            class,
            self.0.rooms.iter().map(|r| {
                (
                    r.id.clone(),
                    String::new(),
                    format!("{}, {}", r.id, self.school(r.school)),
                )
            }),
        )
    }
    fn vehicles(&self, class: &str) -> Markup {
        pick_list(
            class,
            self.0.vehicles.iter().map(|v| {
                (
                    v.id.clone(),
                    String::new(),
                    format!("{}, {}", v.id, self.school(v.school)),
                )
            }),
        )
    }
}

/// The form of a new what-if scenario over `net`: what to remove, the settings, distance
/// learning, a partner's file.
fn scenario_form(net: &Network, id: &str) -> Markup {
    let picks = Picks(net);
    html! {
        details.card id="scenario-form" {
            summary { h2 { "Новый сценарий «что если»" } }
            p.muted { "Сценарий — копия сети с изменениями; его план можно составить и сравнить с планом сети." }
            p { label { "Название " input type="text" id="scn-name" maxlength="100" size="50" placeholder="например: Без дороги через реку"; } }
            fieldset {
                legend { "Убрать школы и организации (с их кабинетами, учителями, автобусами, дорогами и учениками)" }
                (picks.schools("scn-school"))
            }
            fieldset { legend { "Закрыть дороги" } (picks.links("scn-link")) }
            details {
                summary { "Убрать учителей, кабинеты, автобусы" }
                fieldset { legend { "Учителя" } (picks.teachers("scn-teacher")) }
                fieldset { legend { "Кабинеты" } (picks.rooms("scn-room")) }
                @if !net.vehicles.is_empty() {
                    fieldset { legend { "Автобусы" } (picks.vehicles("scn-vehicle")) }
                }
            }
            fieldset {
                legend { "Правила" }
                label { "Наименьшая группа " input type="number" id="scn-min-group" min="1" max="100" placeholder=(net.min_group); }
                " "
                label { "Наибольшая группа " input type="number" id="scn-max-group" min="1" max="200" placeholder=(net.max_group); }
                " "
                label { "Выборов на ученика " input type="number" id="scn-wants" min="1" max="20" placeholder=(net.wants); }
            }
            @if net.courses.iter().any(|c| !c.distance) {
                fieldset {
                    legend { "Разрешить дистанционное обучение" }
                    (pick_list("scn-distance", net.courses.iter().filter(|c| !c.distance).map(|c| (c.id.clone(), String::new(), c.name.clone()))))
                }
            }
            fieldset {
                legend { "Добавить партнёра из файла" }
                p.muted { "Книга Excel или zip с листами (файлами) новой организации: schools, links, rooms, teachers, courses — те же столбцы, что в книге сети." }
                input type="file" id="scn-partner" accept=".xlsx,.zip";
            }
            p { button type="button" id="scn-button" data-network=(id) { "Создать сценарий" } }
            div id="scn-result" {}
        }
    }
}

/// The form of a change to a done plan (SPEC §6): what happened, then a re-plan that
/// keeps everybody it can.
fn replan_form(net: &Network, run: &str) -> Markup {
    let picks = Picks(net);
    html! {
        details.card id="replan-form" {
            summary { h2 { "Что-то изменилось: перепланировать" } }
            p.muted { "Отметьте, что случилось. Новый план сохранит всех, кого изменение не задело, и покажет, что сдвинулось и кого предупредить." }
            fieldset {
                legend { "Отсутствует учитель" }
                (picks.teachers("chg-teacher"))
                p { "Уроки: "
                    @for p in 1..=net.num_periods() { label { input type="checkbox" class="chg-period" value=(p); " " (p) } " " }
                    span.muted { " (ничего не отмечено — весь день)" }
                }
            }
            fieldset { legend { "Закрыта дорога" } (picks.links("chg-link")) }
            details {
                summary { "Закрыт кабинет или школа, сломан автобус" }
                fieldset { legend { "Кабинеты" } (picks.rooms("chg-room")) }
                fieldset { legend { "Школы: никто не ездит туда и оттуда, её ученики учатся у себя" } (picks.schools("chg-school")) }
                @if !net.vehicles.is_empty() {
                    fieldset { legend { "Автобусы" } (picks.vehicles("chg-vehicle")) }
                }
            }
            fieldset {
                legend { "Ученик изменил выбор" }
                p.muted { "По строке на ученика: код ученика, двоеточие, коды курсов по порядку. Например: P0012: PHYS, INF" }
                textarea id="chg-choices" rows="3" cols="60" {}
            }
            p {
                label { "Время на поиск: "
                    select id="chg-time-limit" {
                        option value="30" { "30 секунд" }
                        option value="60" selected { "1 минута" }
                        option value="120" { "2 минуты" }
                    }
                }
                " "
                button type="button" id="replan-button" data-run=(run) { "Перепланировать" }
            }
            div id="replan-result" {}
        }
    }
}

/// A CSV file of a plan folder as rows of cells (the header first); empty when absent.
fn csv_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    let Ok(mut r) = csv::ReaderBuilder::new().has_headers(false).from_path(path) else {
        return Vec::new();
    };
    r.records()
        .filter_map(Result::ok)
        .map(|rec| rec.iter().map(str::to_owned).collect())
        .collect()
}

/// What a re-plan did: the change, its figures, what moved (changes.csv) and who must
/// be told (notify.csv).
/// `summary` is the new plan's summary.json once it is done; before that only the
/// change is shown.
fn replan_result(run: &Run, of: &str, summary: Option<&serde_json::Value>) -> Markup {
    const SHOWN: usize = 300;
    let change = std::fs::read_to_string(run.change_file()).unwrap_or_default();
    let changes = csv_rows(&run.plan_dir().join("changes.csv"));
    let notify = csv_rows(&run.plan_dir().join("notify.csv"));
    let stats = summary.map(|s| &s["replan"]);
    let kind_ru = |k: &str| {
        match k {
            "group" => "группа",
            "assignment" => "зачисление",
            "route" => "маршрут",
            "trip" => "рейс",
            other => other,
        }
        .to_owned()
    };
    let role_ru = |k: &str| {
        match k {
            "school" => "школа",
            "teacher" => "учитель",
            "student" => "ученик",
            other => other,
        }
        .to_owned()
    };
    let done = summary.is_some();
    html! {
        section.card id="replan-of" {
            h2 { "Перепланирование плана " a href={ "/runs/" (of) } { (of) } }
            details { summary { "Изменение (change.toml)" } pre { (change) } }
            @if let Some(s) = stats {
                ul.replan-stats {
                    li { "Зачислений было " (s["placements_before"]) ", стало " strong { (s["placements_after"]) } }
                    li { "Учеников, которых изменение задело: " (s["touched_students"]) }
                    li { "Из остальных " (s["untouched_students"]) " на своих местах остались " strong { (s["untouched_kept"]) }
                        " (" (format!("{:.1}", 100.0 * s["untouched_kept_share"].as_f64().unwrap_or(0.0))) " %)" }
                    li { "Сохранили все свои группы (некоторые получили ещё одну): " (s["untouched_keeping_all"]) }
                    li.muted { "Выбран способ: " (match s["chosen"].as_str() {
                            Some("repair") => "ремонт опубликованного плана",
                            Some("re-optimised") => "перерасчёт с закреплёнными незатронутыми учениками",
                            _ => "перерасчёт, где ученики, которым можно помочь, не закреплены",
                        })
                        "; зачислений: ремонт — " (s["repair_placements"]) ", перерасчёт — " (s["reoptimised_placements"])
                        ", перерасчёт без закрепления тех, кому можно помочь — " (s["relaxed_placements"]) }
                    li.muted { "Кто считается затронутым: ученик, у которого изменились выборы; чья группа лишилась учителя, кабинета или школы; чей день больше нельзя проехать (закрыта дорога или школа); чей автобус сломан." }
                }
            }
        }
        @if done {
        section id="moved" {
            h2 { "Что сдвинулось (" (changes.len().saturating_sub(1)) ")" }
            @if changes.len() <= 1 { p.muted { "Ничего: план остался прежним." } }
            @else {
                table.list.changes {
                    thead { tr { th { "Что" } th { "Код" } th { "Было" } th { "Стало" } } }
                    tbody {
                        @for r in changes.iter().skip(1).take(SHOWN) {
                            tr { td { (kind_ru(r.first().map_or("", String::as_str))) } @for c in r.iter().skip(1) { td { (c) } } }
                        }
                    }
                }
                @if changes.len() - 1 > SHOWN { p.muted { "Показаны первые " (SHOWN) "; всё — в changes.csv (plan.zip)." } }
            }
        }
        section id="notify" {
            h2 { "Кого предупредить (" (notify.len().saturating_sub(1)) ")" }
            @if notify.len() <= 1 { p.muted { "Никого." } }
            @else {
                table.list.notify {
                    thead { tr { th { "Кто" } th { "Код" } th { "Сообщение" } } }
                    tbody {
                        @for r in notify.iter().skip(1).take(SHOWN) {
                            tr { td { (role_ru(r.first().map_or("", String::as_str))) } @for c in r.iter().skip(1) { td { (c) } } }
                        }
                    }
                }
                @if notify.len() - 1 > SHOWN { p.muted { "Показаны первые " (SHOWN) "; всё — в notify.csv (plan.zip)." } }
            }
        }
        }
    }
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
    let net = (s.state == State::Done)
        .then(|| super::runs::network_of(&app.workspace, run).ok())
        .flatten();
    let kpis = net.as_ref().and_then(|net| {
        let disk = crate::planfile::read::read_plan(net, &run.plan_dir()).ok()?;
        let tt = crate::graph::TravelTimes::new(net);
        Some((disk.kpis(net, &tt), !net.vehicles.is_empty()))
    });
    layout(
        Some(app),
        &format!("План {}", run.id),
        html! {
            p.crumbs { a href="/" { "Сети" } " / " a href={ "/networks/" (run.network) } { (name) } " / план " (run.id) }
            h1 { @if run.replan_of.is_some() { "Новый план " } @else { "План " } (run.id) ": " (name) }
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
            @if let Some(of) = &run.replan_of {
                (replan_result(run, of, (s.state == State::Done).then_some(s.summary.as_ref()).flatten()))
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
                section.card {
                    h2 { "День ученика или учителя" }
                    form method="get" action={ "/runs/" (run.id) "/day" } {
                        input type="search" name="who" id="who" placeholder="код ученика, код или ФИО учителя" required;
                        " "
                        button type="submit" id="who-button" { "Найти" }
                    }
                }
                @if let (Some(net), None) = (&net, &run.replan_of) {
                    (replan_form(net, &run.id))
                }
                section {
                    h2 { "Скачать" }
                    ul.downloads {
                        li { a id="download-xlsx" href={ "/api/runs/" (run.id) "/plan.xlsx" } { "План в Excel (plan.xlsx)" } }
                        li { a id="download-plan" href={ "/api/runs/" (run.id) "/plan.zip" } { "Файлы плана (plan.zip)" } }
                        li { a id="download-report" href={ "/api/runs/" (run.id) "/report.zip" } { "Все отчёты: календари, ведомости, FET (report.zip)" } }
                        li { a id="buses-link" href={ "/runs/" (run.id) "/buses" } { "Рейсы автобусов и листы отправления по школам" } }
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

/// A plan's bus trips and every school's departure sheet.
pub fn buses(app: &App, run: &Run) -> String {
    let loaded = super::runs::network_of(&app.workspace, run)
        .ok()
        .and_then(|net| {
            let disk = crate::planfile::read::read_plan(&net, &run.plan_dir()).ok()?;
            Some((net, disk))
        });
    let Some((net, disk)) = loaded else {
        return missing(app);
    };
    let name = app
        .workspace
        .network(&run.network)
        .map_or_else(|| run.network.clone(), |n| n.name);
    let tt = crate::graph::TravelTimes::new(&net);
    layout(
        Some(app),
        &format!("Рейсы и отправления: план {}", run.id),
        html! {
            p.crumbs { a href="/" { "Сети" } " / " a href={ "/networks/" (run.network) } { (name) } " / " a href={ "/runs/" (run.id) } { "план " (run.id) } " / рейсы" }
            h1 { "Рейсы автобусов и листы отправления" }
            p.muted { "Для печати: у каждой школы свой лист — кто, когда и на чём уезжает и когда возвращается." }
            (super::buses::buses(&net, &tt, &disk))
        },
    )
}

/// `s` as a URL query value: every byte but letters, digits and `-_.~` percent-encoded.
fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Who a search means: students by id, teachers by id or by a part of the name (case
/// and `ё` ignored).
fn matches(net: &Network, query: &str) -> (Vec<usize>, Vec<usize>) {
    let norm = |s: &str| s.trim().to_lowercase().replace('ё', "е");
    let q = norm(query);
    if q.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let students: Vec<usize> = (0..net.students.len())
        .filter(|&i| norm(&net.students[i].id) == q)
        .collect();
    let teachers: Vec<usize> = (0..net.teachers.len())
        .filter(|&i| {
            let t = &net.teachers[i];
            norm(&t.id) == q || (q.chars().count() >= 3 && norm(&t.name).contains(&q))
        })
        .collect();
    (students, teachers)
}

/// The page of one person's day in a plan: their groups in time order and their trips,
/// and for a student the choices not served with why; a list to pick from when the
/// search means several people.
pub fn day(app: &App, run: &Run, query: &str) -> String {
    use crate::model::Hhmm;
    let loaded = super::runs::network_of(&app.workspace, run)
        .ok()
        .and_then(|net| {
            let disk = crate::planfile::read::read_plan(&net, &run.plan_dir()).ok()?;
            Some((net, disk))
        });
    let Some((net, disk)) = loaded else {
        return missing(app);
    };
    let (students, teachers) = matches(&net, query);
    let school = |s: crate::model::SchoolId| net.schools[s.idx()].name.clone();
    let course = |c: crate::model::CourseId| net.courses[c.idx()].name.clone();
    let groups_of = |pred: &dyn Fn(&crate::plan::Group) -> bool| {
        let mut g: Vec<&crate::plan::Group> = disk.plan.groups.iter().filter(|g| pred(g)).collect();
        g.sort_by_key(|g| g.first);
        g
    };
    let legs = |id: &str, role: &str| -> Vec<crate::planfile::RouteLegRow> {
        let mut v: Vec<_> = disk
            .routes
            .iter()
            .flatten()
            .filter(|l| l.person == id && l.role == role)
            .cloned()
            .collect();
        v.sort_by_key(|l| l.leg);
        v
    };
    let name_of = |id: &str| -> String {
        net.schools
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_owned(), |s| s.name.clone())
    };
    let groups_table = |gs: &[&crate::plan::Group], teacher_col: bool| {
        html! {
            table.list {
                thead { tr { th { "Время" } th { "Курс" } th { "Где" } th { "Кабинет" } th { (if teacher_col { "Учитель" } else { "Учеников" }) } th { "Форма" } } }
                tbody {
                    @for g in gs {
                        tr {
                            td { (Hhmm(g.start(&net))) "–" (Hhmm(g.end(&net))) }
                            td { (course(g.course)) }
                            td { (school(g.school)) }
                            td { (net.rooms[g.room.idx()].id) }
                            td { @if teacher_col { (net.teachers[g.teacher.idx()].name) } @else { (g.members.len()) } }
                            td { (if g.mode == crate::plan::Mode::Distance { "дистанционно" } else { "очно" }) }
                        }
                    }
                }
            }
        }
    };
    let legs_table = |ls: &[crate::planfile::RouteLegRow]| {
        html! {
            @if ls.is_empty() {
                p.muted { "Весь день в своей школе: поездок нет." }
            } @else {
                table.list {
                    thead { tr { th { "Отправление" } th { "Откуда" } th { "Прибытие" } th { "Куда" } th { "Транспорт" } } }
                    tbody {
                        @for l in ls {
                            tr {
                                td { (Hhmm(l.depart)) }
                                td { (name_of(&l.from)) }
                                td { (Hhmm(l.arrive)) }
                                td { (name_of(&l.to)) }
                                td { @if l.vehicle.is_empty() { "своим ходом" } @else { "автобус " (l.vehicle) } }
                            }
                        }
                    }
                }
            }
        }
    };
    let one = students.len() + teachers.len() == 1;
    layout(
        Some(app),
        "День",
        html! {
            p.crumbs { a href="/" { "Сети" } " / " a href={ "/runs/" (run.id) } { "план " (run.id) } " / день" }
            h1 { "День: «" (query) "»" }
            @if students.is_empty() && teachers.is_empty() {
                p.error id="nobody" { "Никого не найдено. Ищите по коду ученика или по коду или части ФИО учителя." }
            }
            @if !one {
                ul.people {
                    @for &i in &students {
                        li { a href={ "/runs/" (run.id) "/day?who=" (query_value(&net.students[i].id)) } { "ученик " (net.students[i].id) } }
                    }
                    @for &i in &teachers {
                        li { a href={ "/runs/" (run.id) "/day?who=" (query_value(&net.teachers[i].id)) } { "учитель " (net.teachers[i].name) " (" (net.teachers[i].id) ")" } }
                    }
                }
            }
            @if one {
                @for &i in &students {
                    @let st = &net.students[i];
                    @let sid = crate::model::StudentId::from(i);
                    @let gs = groups_of(&|g| g.members.contains(&sid));
                    h2 id="person" { "Ученик " (st.id) ", " (st.grade) " класс, " (school(st.school)) }
                    h3 { "Занятия" }
                    @if gs.is_empty() { p.muted { "Ни одного курса в этом плане." } } @else { (groups_table(&gs, true)) }
                    h3 { "Поездки" }
                    (legs_table(&legs(&st.id, "student")))
                    @let unserved: Vec<_> = disk.unserved.iter().flatten().filter(|u| u.student == st.id).collect();
                    @if !unserved.is_empty() {
                        h3 { "Невыполненные выборы" }
                        table.list {
                            thead { tr { th { "Выбор" } th { "Курс" } th { "Почему" } } }
                            tbody { @for u in &unserved { tr { td { (u.rank) } td { (u.course) } td { (u.reason_text(Lang::Ru)) } } } }
                        }
                    }
                }
                @for &i in &teachers {
                    @let t = &net.teachers[i];
                    @let tid = crate::model::TeacherId::from(i);
                    @let gs = groups_of(&|g| g.teacher == tid);
                    h2 id="person" { "Учитель " (t.name) " (" (t.id) "), " (school(t.school)) }
                    h3 { "Занятия" }
                    @if gs.is_empty() { p.muted { "Не ведёт групп в этом плане." } } @else { (groups_table(&gs, false)) }
                    h3 { "Поездки" }
                    (legs_table(&legs(&t.id, "teacher")))
                }
            }
        },
    )
}

/// Plans side by side (any runs, of one network or of several): every SPEC §4 figure
/// of each, the first plan the reference; a figure better than the reference is green,
/// worse red.
pub fn compare(app: &App, runs: &[std::sync::Arc<Run>]) -> String {
    use crate::plan::kpi::{Better, Kpis};
    use crate::workflow::compare::{rank_partners, students_changed, Solved};
    struct Col {
        id: String,
        name: String,
        net: Network,
        disk: crate::planfile::read::PlanOnDisk,
        kpis: Kpis,
    }
    let mut cols: Vec<Col> = Vec::new();
    for run in runs {
        let Ok(net) = super::runs::network_of(&app.workspace, run) else {
            continue;
        };
        let Ok(disk) = crate::planfile::read::read_plan(&net, &run.plan_dir()) else {
            continue;
        };
        let tt = crate::graph::TravelTimes::new(&net);
        let kpis = disk.kpis(&net, &tt);
        let name = app
            .workspace
            .network(&run.network)
            .map_or_else(|| net.name.clone(), |n| n.name);
        cols.push(Col {
            id: run.id.clone(),
            name,
            net,
            disk,
            kpis,
        });
    }
    let fleet = cols.iter().any(|c| !c.net.vehicles.is_empty());
    let class = |kpi: &crate::plan::kpi::Kpi, k: &Kpis, base: &Kpis| -> &'static str {
        let (Some(a), Some(b)) = (kpi.number(k), kpi.number(base)) else {
            return "";
        };
        if (a - b).abs() < 1e-9 {
            return "same";
        }
        match (kpi.better, a > b) {
            (Better::Higher, true) | (Better::Lower, false) => "better",
            (Better::Higher, false) | (Better::Lower, true) => "worse",
            (Better::Neutral, _) => "changed",
        }
    };
    // Columns are named by run so that two plans of one network stay apart.
    let solved: Vec<Solved> = cols
        .iter()
        .map(|c| Solved {
            name: c.id.clone(),
            net: &c.net,
            plan: &c.disk.plan,
            kpis: c.kpis.clone(),
            bound: 0.0,
        })
        .collect();
    let changes = students_changed(&solved);
    let moved = |id: &str, what: &str| -> usize {
        changes
            .iter()
            .filter(|c| c.scenario == id && c.change == what)
            .map(|c| c.student.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let ranking = rank_partners(&solved);
    let name_of = |id: &str| {
        cols.iter()
            .find(|c| c.id == id)
            .map_or(String::new(), |c| c.name.clone())
    };
    layout(
        Some(app),
        "Сравнение планов",
        html! {
            p.crumbs { a href="/" { "Сети" } " / сравнение" }
            h1 { "Сравнение планов" }
            @if cols.len() < 2 {
                p.error id="compare-few" { "Отметьте хотя бы два готовых плана." }
            } @else {
                p.muted { "Первый план — точка отсчёта; зелёным — лучше его, красным — хуже." }
                table.list.compare {
                    thead {
                        tr {
                            th { "Показатель" }
                            @for c in &cols { th { a href={ "/runs/" (c.id) } { "план " (c.id) } br; span.muted { (c.name) } } }
                        }
                    }
                    tbody {
                        @for kpi in CATALOGUE.iter().filter(|x| fleet || !x.fleet) {
                            tr data-kpi=(kpi.key) {
                                td { (kpi.label(Lang::Ru)) }
                                @for (i, c) in cols.iter().enumerate() {
                                    td class=(if i == 0 { "" } else { class(kpi, &c.kpis, &cols[0].kpis) }) { (kpi.show(&c.kpis, Lang::Ru)) }
                                }
                            }
                        }
                        tr data-kpi="students_gaining" {
                            td { "Учеников получают курс, которого нет в первом плане" }
                            td { "—" }
                            @for c in &cols[1..] { td { (moved(&c.id, "gained")) } }
                        }
                        tr data-kpi="students_losing" {
                            td { "Учеников теряют курс первого плана" }
                            td { "—" }
                            @for c in &cols[1..] { td { (moved(&c.id, "lost")) } }
                        }
                    }
                }
                section {
                    h2 { "Что даёт каждое изменение (рейтинг партнёров и сценариев)" }
                    p.muted { "По сравнению с первым планом: сначала больше зачислений, затем выше доля худшей школы, затем меньше поездок." }
                    table.list.ranking {
                        thead { tr { th { "Место" } th { "План" } th { "Зачислений больше" } th { "Худшая школа, п. п." } th { "Минут поездок меньше" } th { "Учеников выигрывают" } } }
                        tbody {
                            @for (i, r) in ranking.iter().enumerate() {
                                tr data-run=(r.name) {
                                    td { (i + 1) }
                                    td { a href={ "/runs/" (r.name) } { "план " (r.name) } " " span.muted { (name_of(&r.name)) } }
                                    td { (format!("{:+}", r.extra_placements)) }
                                    td { (format!("{:+.1}", r.worst_school_pp)) }
                                    td { (format!("{:+}", r.travel_saved)) }
                                    td { (r.students_gaining) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_query_values() {
        assert_eq!(when(0), "01.01.1970 00:00");
        assert_eq!(when(1_788_393_600), "03.09.2026 00:00");
        assert_eq!(query_value("T 1&x=Ш"), "T%201%26x%3D%D0%A8");
    }
}
