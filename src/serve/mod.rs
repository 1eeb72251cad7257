//! `profnet serve`: the planner's web workspace (SPEC §9), a web application in Russian
//! and its JSON API under `/api`, over a workspace folder that the command line reads
//! too ([`workspace`]). Solves run in the background, one per core ([`runs`]); pages are
//! rendered on the server with escaping by construction ([`pages`], maud), and their
//! script and styles are embedded in the binary (no CDN, nothing from the internet).
//!
//! Safety: the server binds the loopback address unless told otherwise, and a
//! non-loopback address needs `--password-file` (then a login form and a session
//! cookie, HttpOnly and SameSite=Strict). Every state-changing request carries the
//! page's CSRF token in `X-CSRF-Token` (a custom header, which other sites cannot send
//! without the browser asking this server first, and it never says yes). Every page has
//! a strict Content-Security-Policy; the reports, our own generated pages with inline
//! styles and scripts, are served sandboxed. Uploads are limited in size and checked
//! (see [`workspace::Workspace::add`]); nothing outside the workspace is read or
//! written.

pub mod buses;
pub mod overview;
pub mod pages;
pub mod runs;
pub mod scenarios;
pub mod workspace;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};

use crate::diag::Diagnostic;
use runs::{Run, Runs, State};
use workspace::{diagnostic_json, Refused, Workspace, MAX_UPLOAD};

/// How the server is started.
pub struct ServeOptions {
    pub workspace: PathBuf,
    pub listen: SocketAddr,
    /// The access password (required for a non-loopback address).
    pub password: Option<String>,
    /// Solves at once (default: one per core).
    pub workers: usize,
    /// Called with the address once the server listens (the CLI prints it).
    pub on_listen: Box<dyn FnOnce(SocketAddr) + Send>,
}

/// The name of the session cookie.
const COOKIE: &str = "profnet_session";

pub struct App {
    pub workspace: Arc<Workspace>,
    pub runs: Arc<Runs>,
    password: Option<String>,
    /// Session tokens (with a password).
    sessions: Mutex<HashSet<String>>,
    /// The CSRF token of this server's pages.
    pub csrf: String,
}

type Shared = Arc<App>;

/// Runs the server until the process ends.
pub fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    if !opts.listen.ip().is_loopback() && opts.password.is_none() {
        anyhow::bail!(
            "--listen {} is reachable from other computers: give --password-file with the access password (or listen on 127.0.0.1)",
            opts.listen
        );
    }
    let workspace = Arc::new(Workspace::open(&opts.workspace)?);
    let runs = Runs::start(workspace.clone(), opts.workers);
    let app = Arc::new(App {
        workspace,
        runs,
        password: opts.password,
        sessions: Mutex::new(HashSet::new()),
        csrf: token()?,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen).await?;
        (opts.on_listen)(listener.local_addr()?);
        axum::serve(listener, router(app)).await?;
        Ok(())
    })
}

/// Every route of the application and the API.
pub fn router(app: Shared) -> Router {
    let api = Router::new()
        .route("/api/networks", post(api_upload).get(api_networks))
        .route("/api/networks/{id}", get(api_network).delete(api_remove))
        .route("/api/networks/{id}/solve", post(api_solve))
        .route(
            "/api/networks/{id}/scenarios",
            // The partner's file comes base64 in the form: a third more than its bytes.
            post(api_scenario).layer(DefaultBodyLimit::max(MAX_UPLOAD / 3 * 4 + (1 << 20))),
        )
        .route("/api/runs/{run}", get(api_run).delete(api_cancel))
        .route("/api/runs/{run}/replan", post(api_replan))
        .route("/api/runs/{run}/events", get(api_events))
        .route("/api/runs/{run}/plan.zip", get(plan_zip))
        .route("/api/runs/{run}/report.zip", get(report_zip))
        .route("/api/runs/{run}/plan.xlsx", get(plan_xlsx))
        .route("/api/template.xlsx", get(template))
        .route("/api/marked.xlsx", post(api_marked))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD));
    Router::new()
        .route("/", get(page_networks))
        .route("/networks/{id}", get(page_network))
        .route("/runs/{run}", get(page_run))
        .route("/runs/{run}/day", get(page_day))
        .route("/runs/{run}/buses", get(page_buses))
        .route("/compare", get(page_compare))
        .route("/runs/{run}/report/{*file}", get(report_file))
        .route("/assets/{file}", get(asset))
        .route("/login", get(page_login).post(login))
        .merge(api)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .layer(middleware::from_fn(headers))
        .with_state(app)
}

/// 32 random hex digits from the system's generator.
fn token() -> anyhow::Result<String> {
    use std::io::Read;
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Security headers on every response; a page that set its own policy keeps it.
async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; \
                 frame-ancestors 'self'",
            ),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The session cookie's token, if any.
fn session_of(h: &HeaderMap) -> Option<String> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Login (with a password) and CSRF (always) before every handler.
async fn guard(AxState(app): AxState<Shared>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let open = path == "/login" || path.starts_with("/assets/");
    if app.password.is_some() && !open {
        let ok = session_of(req.headers()).is_some_and(|t| {
            app.sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&t)
        });
        if !ok {
            return if path.starts_with("/api/") {
                (
                    StatusCode::UNAUTHORIZED,
                    Json(serde_json::json!({"error": "log in first"})),
                )
                    .into_response()
            } else {
                Redirect::to("/login").into_response()
            };
        }
    }
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD);
    if changes && path != "/login" {
        let sent = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        if sent != Some(app.csrf.as_str()) {
            return (
                StatusCode::FORBIDDEN,
                Json(
                    serde_json::json!({"error": "missing or wrong X-CSRF-Token: reload the page"}),
                ),
            )
                .into_response();
        }
    }
    next.run(req).await
}

#[derive(serde::Deserialize)]
struct LoginForm {
    password: String,
}

async fn page_login() -> Html<String> {
    Html(pages::login(None))
}

async fn login(AxState(app): AxState<Shared>, Form(f): Form<LoginForm>) -> Response {
    let Some(pw) = &app.password else {
        return Redirect::to("/").into_response();
    };
    if !same(pw.as_bytes(), f.password.as_bytes()) {
        // A pause makes guessing slow.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        return (
            StatusCode::UNAUTHORIZED,
            Html(pages::login(Some("Неверный пароль"))),
        )
            .into_response();
    }
    let Ok(t) = token() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    app.sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(t.clone());
    let cookie = format!("{COOKIE}={t}; HttpOnly; SameSite=Strict; Path=/");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

/// Compares in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({"error": format!("no such {what}")})),
    )
        .into_response()
}

// ---- pages ---------------------------------------------------------------------------

async fn page_networks(AxState(app): AxState<Shared>) -> Html<String> {
    Html(pages::networks(&app))
}

async fn page_network(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(info) = app.workspace.network(&id) else {
        return (StatusCode::NOT_FOUND, Html(pages::missing(&app))).into_response();
    };
    let loaded = app.workspace.load(&id);
    Html(pages::network(&app, &info, loaded)).into_response()
}

async fn page_buses(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    match app.runs.get(&id) {
        Some(run) if run.status().state == State::Done => {
            Html(pages::buses(&app, &run)).into_response()
        }
        _ => (StatusCode::NOT_FOUND, Html(pages::missing(&app))).into_response(),
    }
}

async fn page_run(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = app.runs.get(&id) else {
        return (StatusCode::NOT_FOUND, Html(pages::missing(&app))).into_response();
    };
    Html(pages::run(&app, &run)).into_response()
}

/// `/compare?run=r1&run=r2…`: done runs side by side (at most 8).
async fn page_compare(
    AxState(app): AxState<Shared>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Html<String> {
    let mut runs = Vec::new();
    for pair in q.unwrap_or_default().split('&') {
        let Some(("run", id)) = pair.split_once('=') else {
            continue;
        };
        if let Some(run) = app.runs.get(id) {
            if run.status().state == State::Done && !runs.iter().any(|r: &Arc<Run>| r.id == run.id)
            {
                runs.push(run);
            }
        }
    }
    runs.truncate(8);
    Html(pages::compare(&app, &runs))
}

#[derive(serde::Deserialize)]
struct DayQuery {
    #[serde(default)]
    who: String,
}

async fn page_day(
    AxState(app): AxState<Shared>,
    UrlPath(id): UrlPath<String>,
    axum::extract::Query(q): axum::extract::Query<DayQuery>,
) -> Response {
    let Some(run) = app.runs.get(&id) else {
        return (StatusCode::NOT_FOUND, Html(pages::missing(&app))).into_response();
    };
    if run.status().state != State::Done {
        return Redirect::to(&format!("/runs/{}", run.id)).into_response();
    }
    let who: String = q.who.chars().take(100).collect();
    Html(pages::day(&app, &run, &who)).into_response()
}

async fn asset(UrlPath(file): UrlPath<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "app.js" => (pages::APP_JS, "text/javascript; charset=utf-8"),
        "app.css" => (pages::APP_CSS, "text/css; charset=utf-8"),
        _ => return not_found("file"),
    };
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// A file of a run's reports (`index.html` and what it links), served sandboxed: the
/// report is our own page with inline styles and scripts.
async fn report_file(
    AxState(app): AxState<Shared>,
    UrlPath((id, file)): UrlPath<(String, String)>,
) -> Response {
    let Some(run) = app.runs.get(&id) else {
        return not_found("run");
    };
    let Some(path) = inside(&run.report_dir(), &file) else {
        return not_found("file");
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return not_found("file");
    };
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("ics") => "text/calendar; charset=utf-8",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (
                header::CONTENT_SECURITY_POLICY,
                // frame-ancestors would compare with the sandbox's opaque origin and
                // block the workspace's own frame; X-Frame-Options compares URLs.
                "sandbox allow-scripts allow-popups; default-src 'none'; \
                 style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:",
            ),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        ],
        bytes,
    )
        .into_response()
}

/// `base/rel` when `rel` is a plain relative path of existing files inside `base` (no
/// `..`, no absolute part, no symlink out).
fn inside(base: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    let path = base.join(rel).canonicalize().ok()?;
    path.starts_with(base.canonicalize().ok()?).then_some(path)
}

// ---- API -----------------------------------------------------------------------------

async fn api_upload(AxState(app): AxState<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let name = headers
        .get("x-filename")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_else(|| "upload.xlsx".into());
    let ws = app.workspace.clone();
    added(tokio::task::spawn_blocking(move || ws.add(&body, &name)).await)
}

/// The answer to a new network or scenario: `201` with its id and warnings, `422` with
/// every problem, `400` with why it is no bundle.
fn added(
    result: Result<Result<(String, Vec<Diagnostic>), Refused>, tokio::task::JoinError>,
) -> Response {
    match result {
        Ok(Ok((id, warnings))) => (
            StatusCode::CREATED,
            Json(serde_json::json!({
                "id": id,
                "warnings": warnings.iter().map(diagnostic_json).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        Ok(Err(Refused::Invalid(problems))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({
                "error": "the bundle has errors",
                "problems": problems.iter().map(diagnostic_json).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        Ok(Err(Refused::Bad(why))) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": why})),
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

/// `POST /api/networks/{id}/scenarios`: a what-if scenario over network `id` from the
/// page's form ([`scenarios::ScenarioForm`], JSON); answered as an upload.
async fn api_scenario(
    AxState(app): AxState<Shared>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> Response {
    let Some(base_dir) = app.workspace.bundle_dir(&id) else {
        return not_found("network");
    };
    let form: scenarios::ScenarioForm = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"error": format!("the scenario form: {e}")})),
            )
                .into_response()
        }
    };
    let ws = app.workspace.clone();
    added(
        tokio::task::spawn_blocking(move || {
            let files = scenarios::scenario_files(&form, &base_dir)?;
            ws.add_scenario(&id, &files)
        })
        .await,
    )
}

/// `%XX` sequences of a header value decoded (the page sends the file name encoded).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn network_json(
    app: &App,
    info: &workspace::NetworkInfo,
    with_warnings: bool,
) -> serde_json::Value {
    let mut v = serde_json::json!({
        "id": info.id,
        "name": info.name,
        "source": info.source,
        "created": info.created,
        "base": info.base,
        "runs": app.runs.of_network(&info.id).iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
    });
    if with_warnings {
        match app.workspace.load(&info.id) {
            Ok((net, w)) => {
                v["schools"] = net.schools.len().into();
                v["students"] = net.students.len().into();
                v["courses"] = net.courses.len().into();
                v["teachers"] = net.teachers.len().into();
                v["warnings"] = w.iter().map(diagnostic_json).collect::<Vec<_>>().into();
            }
            Err(e) => {
                v["problems"] = e.0.iter().map(diagnostic_json).collect::<Vec<_>>().into();
            }
        }
    }
    v
}

async fn api_networks(AxState(app): AxState<Shared>) -> Json<serde_json::Value> {
    let list: Vec<serde_json::Value> = app
        .workspace
        .networks()
        .iter()
        .map(|n| network_json(&app, n, false))
        .collect();
    Json(serde_json::json!({ "networks": list }))
}

async fn api_network(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    match app.workspace.network(&id) {
        Some(info) => Json(network_json(&app, &info, true)).into_response(),
        None => not_found("network"),
    }
}

/// `DELETE /api/networks/{id}`: removes a network (or a scenario) with its plans; `409`
/// while it has scenarios or a solve of it is queued or running.
async fn api_remove(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    if app.workspace.network(&id).is_none() {
        return not_found("network");
    }
    let conflict =
        |m: &str| (StatusCode::CONFLICT, Json(serde_json::json!({"error": m}))).into_response();
    if !app.workspace.scenarios_of(&id).is_empty() {
        return conflict("у сети есть сценарии: сначала удалите их");
    }
    if app
        .runs
        .of_network(&id)
        .iter()
        .any(|r| !r.status().state.is_final())
    {
        return conflict("план ещё составляется: остановите его или дождитесь конца");
    }
    match app.workspace.remove(&id) {
        Ok(()) => {
            app.runs.forget(&id);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

#[derive(serde::Deserialize, Default)]
struct SolveBody {
    time_limit: Option<f64>,
}

async fn api_solve(
    AxState(app): AxState<Shared>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> Response {
    if app.workspace.network(&id).is_none() {
        return not_found("network");
    }
    let req: SolveBody = if body.iter().all(u8::is_ascii_whitespace) {
        SolveBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(serde_json::json!({"error": format!("body: {e}")})),
                )
                    .into_response()
            }
        }
    };
    let t = req.time_limit.unwrap_or(60.0);
    if !(t.is_finite() && t > 0.0 && t <= 3600.0) {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                serde_json::json!({"error": "time_limit must be a number of seconds in (0, 3600]"}),
            ),
        )
            .into_response();
    }
    match app.runs.submit(&id, t) {
        Ok(run) => (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({"run": run.id})),
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

/// What the page's re-plan form sends (`POST /api/runs/{run}/replan`): a change of
/// SPEC §6, either as fields or as the text of a change.toml.
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ReplanForm {
    absent_teachers: Vec<AbsentForm>,
    closed_links: Vec<[String; 2]>,
    closed_rooms: Vec<String>,
    closed_schools: Vec<String>,
    broken_vehicles: Vec<String>,
    choice_changes: Vec<ChoiceForm>,
    /// A whole change.toml instead of the fields.
    change_toml: Option<String>,
    time_limit: Option<f64>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AbsentForm {
    id: String,
    /// 1-based; empty: the whole day.
    #[serde(default)]
    periods: Vec<u32>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoiceForm {
    student: String,
    choices: Vec<String>,
}

impl ReplanForm {
    /// The change as change.toml text (SPEC §6), written by the serialiser.
    fn change_toml(&self) -> Result<String, String> {
        if let Some(t) = &self.change_toml {
            return Ok(t.clone());
        }
        use toml::Value as V;
        let s = |x: &String| V::String(x.trim().to_owned());
        let ids = |v: &[String]| -> V {
            V::Array(
                v.iter()
                    .map(|id| {
                        let mut t = toml::Table::new();
                        t.insert("id".into(), s(id));
                        V::Table(t)
                    })
                    .collect(),
            )
        };
        let mut doc = toml::Table::new();
        if !self.absent_teachers.is_empty() {
            let rows = self.absent_teachers.iter().map(|a| {
                let mut t = toml::Table::new();
                t.insert("id".into(), s(&a.id));
                if !a.periods.is_empty() {
                    t.insert(
                        "periods".into(),
                        V::Array(
                            a.periods
                                .iter()
                                .map(|&p| V::Integer(i64::from(p)))
                                .collect(),
                        ),
                    );
                }
                V::Table(t)
            });
            doc.insert("absent_teacher".into(), V::Array(rows.collect()));
        }
        if !self.closed_links.is_empty() {
            let rows = self.closed_links.iter().map(|[a, b]| {
                let mut t = toml::Table::new();
                t.insert("from".into(), s(a));
                t.insert("to".into(), s(b));
                V::Table(t)
            });
            doc.insert("closed_link".into(), V::Array(rows.collect()));
        }
        for (key, v) in [
            ("closed_room", &self.closed_rooms),
            ("closed_school", &self.closed_schools),
            ("broken_vehicle", &self.broken_vehicles),
        ] {
            if !v.is_empty() {
                doc.insert(key.into(), ids(v));
            }
        }
        if !self.choice_changes.is_empty() {
            let rows = self.choice_changes.iter().map(|c| {
                let mut t = toml::Table::new();
                t.insert("student".into(), s(&c.student));
                t.insert(
                    "choices".into(),
                    V::Array(c.choices.iter().map(s).collect()),
                );
                V::Table(t)
            });
            doc.insert("choice_change".into(), V::Array(rows.collect()));
        }
        if doc.is_empty() {
            return Err(
                "изменение пустое: отметьте отсутствующего учителя, закрытую дорогу, \
                        кабинет, школу, сломанный автобус или новые выборы ученика"
                    .into(),
            );
        }
        toml::to_string(&doc).map_err(|e| e.to_string())
    }
}

/// `POST /api/runs/{run}/replan`: re-plans the done run's plan under a change (SPEC §6)
/// in the background; `202` with the new run, `422` with the change's problems.
async fn api_replan(
    AxState(app): AxState<Shared>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> Response {
    let run = match done_run(&app, &id) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let bad = |m: String| {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": m})),
        )
            .into_response()
    };
    if run.replan_of.is_some() {
        return bad(
            "перепланируйте исходный план сети: изменения собираются в одно (отметьте их все сразу)"
                .into(),
        );
    }
    let form: ReplanForm = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(e) => return bad(format!("the change form: {e}")),
    };
    let t = form.time_limit.unwrap_or(60.0);
    if !(t.is_finite() && t > 0.0 && t <= 3600.0) {
        return bad("time_limit must be a number of seconds in (0, 3600]".into());
    }
    let text = match form.change_toml() {
        Ok(t) => t,
        Err(m) => return bad(m),
    };
    // The change is checked against the network of the plan it changes.
    let net = match runs::network_of(&app.workspace, &run) {
        Ok(n) => n,
        Err(e) => return bad(format!("the plan's network cannot be read: {}", e.0[0])),
    };
    if let Err(problems) = profnet_change_check(&net, &text) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({
                "error": "the change has errors",
                "problems": problems.iter().map(diagnostic_json).collect::<Vec<_>>(),
            })),
        )
            .into_response();
    }
    match app.runs.submit_replan(&run, &text, t) {
        Ok(r) => (StatusCode::ACCEPTED, Json(serde_json::json!({"run": r.id}))).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

/// Every problem of a change's text against `net`.
fn profnet_change_check(net: &crate::model::Network, text: &str) -> Result<(), Vec<Diagnostic>> {
    crate::input::change::parse_change(net, text, "change.toml").map(|_| ())
}

async fn api_run(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    match app.runs.get(&id) {
        Some(run) => Json(run.status().json(&run)).into_response(),
        None => not_found("run"),
    }
}

async fn api_cancel(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    match app.runs.get(&id) {
        Some(run) => {
            let cancelled = app.runs.cancel(&run);
            Json(serde_json::json!({"cancelled": cancelled, "state": run.status().state.as_str()}))
                .into_response()
        }
        None => not_found("run"),
    }
}

/// The run's status as server-sent events: one `status` event now and at every
/// change (at most four a second while it runs), the last when it is final.
async fn api_events(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = app.runs.get(&id) else {
        return not_found("run");
    };
    let stream = futures_util::stream::unfold(
        (run, None::<u64>, false),
        |(run, seen, ended): (Arc<Run>, Option<u64>, bool)| async move {
            if ended {
                return None;
            }
            let mut ticks = 0u32;
            loop {
                let v = run.version();
                // While running, the elapsed time moves: send every second anyway.
                if seen != Some(v) || ticks >= 4 {
                    let s = run.status();
                    let event = Event::default()
                        .event("status")
                        .data(s.json(&run).to_string());
                    let end = s.state.is_final();
                    return Some((
                        Ok::<_, std::convert::Infallible>(event),
                        (run, Some(v), end),
                    ));
                }
                ticks += 1;
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// A zip of every file under `dir` (names relative to it).
fn zip_dir(dir: &Path) -> anyhow::Result<Vec<u8>> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            let t = e.file_type()?;
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                files.push(e.path());
            }
        }
    }
    files.sort();
    for f in files {
        let rel = f.strip_prefix(dir)?.to_string_lossy().replace('\\', "/");
        z.start_file(rel, opts)?;
        std::io::Write::write_all(&mut z, &std::fs::read(&f)?)?;
    }
    Ok(z.finish()?.into_inner())
}

fn download(bytes: Vec<u8>, kind: &'static str, name: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The run `id` when it is done.
fn done_run(app: &App, id: &str) -> Result<Arc<Run>, (StatusCode, Json<serde_json::Value>)> {
    let run = app.runs.get(id).ok_or_else(|| {
        (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": "no such run"})),
        )
    })?;
    if run.status().state != State::Done {
        return Err((
            StatusCode::CONFLICT,
            Json(
                serde_json::json!({"error": "the run has no plan (yet)", "state": run.status().state.as_str()}),
            ),
        ));
    }
    Ok(run)
}

async fn plan_zip(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let run = match done_run(&app, &id) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    match zip_dir(&run.plan_dir()) {
        Ok(b) => download(b, "application/zip", format!("plan-{}.zip", run.id)),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn report_zip(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let run = match done_run(&app, &id) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    match zip_dir(&run.report_dir()) {
        Ok(b) => download(b, "application/zip", format!("report-{}.zip", run.id)),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn plan_xlsx(AxState(app): AxState<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let run = match done_run(&app, &id) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    match std::fs::read(run.report_dir().join("plan.xlsx")) {
        Ok(b) => download(
            b,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("plan-{}.xlsx", run.id),
        ),
        Err(_) => not_found("plan.xlsx"),
    }
}

/// The uploaded workbook back with its problems marked (red cells with notes, a sheet
/// `Ошибки` that links to them): to fix in Excel and upload again.
async fn api_marked(headers: HeaderMap, body: Bytes) -> Response {
    let name = headers
        .get("x-filename")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_else(|| "network.xlsx".into());
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("network.xlsx")
        .to_owned();
    let marked = tokio::task::spawn_blocking(move || {
        let path = Path::new(&name);
        let book = crate::input::workbook::read_bytes(&body, path)?;
        let files = crate::input::BundleFiles::of_workbook(book, path);
        let problems = match crate::input::load_bundle(files.clone()) {
            Ok((_, warnings)) => warnings,
            Err(e) => e.0,
        };
        crate::input::workbook::write_marked(&files, &problems)
    })
    .await;
    match marked {
        Ok(Ok(bytes)) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "network-marked.xlsx".into(),
        ),
        Ok(Err(problems)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({
                "error": "not a workbook that can be marked",
                "problems": problems.iter().map(diagnostic_json).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// The template workbook (as `profnet init --xlsx` writes it).
async fn template() -> Response {
    let files = crate::input::collect::bundle_template();
    let memory: Vec<(&str, &[u8])> = files
        .iter()
        .filter(|(n, _)| n.ends_with(".csv") || n.ends_with(".toml"))
        .map(|(n, t)| (*n, t.as_bytes()))
        .collect();
    let bundle = crate::input::BundleFiles::from_memory(&memory);
    let opts = crate::input::workbook::WorkbookOptions {
        open_at_instructions: true,
        problems: None,
    };
    match crate::input::workbook::write_workbook(&bundle, opts) {
        Ok(b) => download(
            b,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "network-template.xlsx".into(),
        ),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "x").unwrap();
        assert!(inside(dir.path(), "index.html").is_some());
        assert!(inside(dir.path(), "../index.html").is_none());
        assert!(inside(dir.path(), "/etc/passwd").is_none());
        assert!(inside(dir.path(), "nope.html").is_none());
    }

    #[test]
    fn file_names_decode() {
        assert_eq!(percent_decode("%D1%81%D0%B5%D1%82%D1%8C.xlsx"), "сеть.xlsx");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("100%"), "100%");
        assert!(same(b"abc", b"abc") && !same(b"abc", b"abd") && !same(b"ab", b"abc"));
    }
}
