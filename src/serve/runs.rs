//! Solves run in the background, one per core, queued in order; the page follows each
//! by its [`Status`]. A run writes its plan (checked, SPEC §3) and the reports into its
//! folder through temporary folders, so a stop at any moment leaves no half-written
//! plan; cancelling keeps the best plan found so far.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;

use super::workspace::{is_id, next_number, now, Workspace};
use crate::diag::{Diagnostic, InvalidInput};
use crate::graph::TravelTimes;
use crate::input::change::parse_change;
use crate::model::Network;
use crate::planfile::write::{write_dir_atomically, PlanFiles};
use crate::reports::{write_reports, ReportInput};
use crate::solve::{solve, SolveOptions};
use crate::workflow::replan::{replan, write_replan, ReplanOptions};

/// A re-plan's change in its run's folder.
const CHANGE_TOML: &str = "change.toml";

/// The network a run's plan is for: its network, under the run's change for a re-plan.
pub fn network_of(ws: &Workspace, run: &Run) -> Result<Network, InvalidInput> {
    let (net, _) = ws.load(&run.network)?;
    if run.replan_of.is_none() {
        return Ok(net);
    }
    let text = std::fs::read_to_string(run.change_file()).map_err(|e| {
        InvalidInput(vec![Diagnostic::error(
            "E0601",
            CHANGE_TOML,
            format!("the re-plan's change cannot be read: {e}"),
        )])
    })?;
    let change = parse_change(&net, &text, CHANGE_TOML).map_err(InvalidInput)?;
    Ok(change.apply(&net))
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::Done => "done",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> State {
        match s {
            "done" => State::Done,
            "cancelled" => State::Cancelled,
            _ => State::Failed,
        }
    }

    /// Whether the run will not change any more.
    pub fn is_final(self) -> bool {
        matches!(self, State::Done | State::Failed | State::Cancelled)
    }
}

/// What the page shows of a run.
#[derive(Clone, Debug)]
pub struct Status {
    pub state: State,
    /// What the optimiser is doing (its last progress message).
    pub stage: String,
    /// Seconds since it started.
    pub elapsed: f64,
    pub time_limit: f64,
    /// The plan's summary.json, once written.
    pub summary: Option<serde_json::Value>,
    pub error: Option<String>,
    /// Whether the run was stopped early (its plan is the best found until then).
    pub stopped_early: bool,
    /// Seconds since 1970 when it was asked for.
    pub created: u64,
}

impl Status {
    /// The share of the time limit used (the bar); 1 when finished.
    pub fn progress(&self) -> f64 {
        if self.state.is_final() {
            1.0
        } else if self.time_limit > 0.0 {
            (self.elapsed / self.time_limit).clamp(0.0, 0.99)
        } else {
            0.0
        }
    }

    pub fn json(&self, run: &Run) -> serde_json::Value {
        serde_json::json!({
            "run": run.id,
            "network": run.network,
            "state": self.state.as_str(),
            "progress": {
                "stage": self.stage,
                "elapsed": (self.elapsed * 10.0).round() / 10.0,
                "time_limit": self.time_limit,
                "fraction": (self.progress() * 1000.0).round() / 1000.0,
            },
            "summary": self.summary,
            "error": self.error,
            "stopped_early": self.stopped_early,
        })
    }
}

/// One solve of one network.
pub struct Run {
    pub id: String,
    pub network: String,
    pub dir: PathBuf,
    /// For a re-plan: the run whose plan it changes (its change is `change.toml` in
    /// [`Run::dir`], SPEC §6).
    pub replan_of: Option<String>,
    status: Mutex<Status>,
    /// Grows with every change of the status (the event stream sends on a change).
    version: AtomicU64,
    stop: Arc<AtomicBool>,
    started: Mutex<Option<Instant>>,
}

impl Run {
    pub fn status(&self) -> Status {
        let mut s = self
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if s.state == State::Running {
            if let Some(t) = *self.started.lock().unwrap_or_else(|p| p.into_inner()) {
                s.elapsed = t.elapsed().as_secs_f64();
            }
        }
        s
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    fn update(&self, f: impl FnOnce(&mut Status)) {
        f(&mut self.status.lock().unwrap_or_else(|p| p.into_inner()));
        self.version.fetch_add(1, Ordering::SeqCst);
    }

    /// The plan folder (present once the run is done).
    pub fn plan_dir(&self) -> PathBuf {
        self.dir.join("plan")
    }

    pub fn report_dir(&self) -> PathBuf {
        self.dir.join("report")
    }

    /// A re-plan's change (SPEC §6), as the planner entered it.
    pub fn change_file(&self) -> PathBuf {
        self.dir.join(CHANGE_TOML)
    }

    /// Writes run.json (the final state) beside the plan.
    fn persist(&self) {
        let s = self.status();
        let doc = serde_json::json!({
            "network": self.network,
            "replan_of": self.replan_of,
            "state": s.state.as_str(),
            "time_limit": s.time_limit,
            "error": s.error,
            "stopped_early": s.stopped_early,
            "created": s.created,
        });
        let tmp = self.dir.join(".run.json.tmp");
        let written = serde_json::to_vec_pretty(&doc)
            .map_err(std::io::Error::other)
            .and_then(|b| std::fs::write(&tmp, b))
            .and_then(|()| std::fs::rename(&tmp, self.dir.join("run.json")));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// Every run, and the workers that solve them.
pub struct Runs {
    runs: Mutex<HashMap<String, Arc<Run>>>,
    queue: Mutex<mpsc::Sender<Arc<Run>>>,
    workspace: Arc<Workspace>,
}

impl Runs {
    /// The runs on disk (a run that was queued or running when the server stopped is
    /// failed: nothing of it was put in place) and `workers` threads to solve new ones.
    pub fn start(workspace: Arc<Workspace>, workers: usize) -> Arc<Runs> {
        let (tx, rx) = mpsc::channel::<Arc<Run>>();
        let runs = Arc::new(Runs {
            runs: Mutex::new(HashMap::new()),
            queue: Mutex::new(tx),
            workspace: workspace.clone(),
        });
        for (net, id) in workspace.run_ids() {
            let dir = workspace.runs_dir(&net).join(&id);
            let meta: serde_json::Value = std::fs::read(dir.join("run.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
            let plan = dir.join("plan");
            let mut state = State::parse(meta["state"].as_str().unwrap_or(""));
            let mut error = meta["error"].as_str().map(str::to_owned);
            if state == State::Done && !plan.join("summary.json").is_file() {
                state = State::Failed;
            }
            if meta.is_null() || meta["state"].is_null() {
                error = Some(
                    "the server stopped during this solve; nothing of it was kept, run it again"
                        .into(),
                );
            }
            let summary = std::fs::read(plan.join("summary.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            let run = Arc::new(Run {
                id: id.clone(),
                network: net,
                replan_of: meta["replan_of"]
                    .as_str()
                    .filter(|r| is_id(r, 'r'))
                    .map(str::to_owned),
                dir,
                status: Mutex::new(Status {
                    state,
                    stage: String::new(),
                    elapsed: summary
                        .as_ref()
                        .and_then(|s: &serde_json::Value| s["solve_seconds"].as_f64())
                        .unwrap_or(0.0),
                    time_limit: meta["time_limit"].as_f64().unwrap_or(0.0),
                    summary,
                    error,
                    stopped_early: meta["stopped_early"].as_bool().unwrap_or(false),
                    created: meta["created"].as_u64().unwrap_or(0),
                }),
                version: AtomicU64::new(0),
                stop: Arc::new(AtomicBool::new(false)),
                started: Mutex::new(None),
            });
            runs.lock().insert(id, run);
        }
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..workers.max(1) {
            let rx = rx.clone();
            let ws = workspace.clone();
            std::thread::spawn(move || loop {
                let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok(run) = next else {
                    return;
                };
                work(&ws, &run);
            });
        }
        runs
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Run>>> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, id: &str) -> Option<Arc<Run>> {
        self.lock().get(id).cloned()
    }

    /// The runs of network `net`, newest first.
    pub fn of_network(&self, net: &str) -> Vec<Arc<Run>> {
        let mut v: Vec<Arc<Run>> = self
            .lock()
            .values()
            .filter(|r| r.network == net)
            .cloned()
            .collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.id[1..].parse::<u64>().unwrap_or(0)));
        v
    }

    /// Forgets the runs of network `net` (removed from the workspace).
    pub fn forget(&self, net: &str) {
        self.lock().retain(|_, r| r.network != net);
    }

    /// Queues a solve of network `net` with `time_limit` seconds.
    pub fn submit(&self, net: &str, time_limit: f64) -> anyhow::Result<Arc<Run>> {
        self.queue_run(net, None, time_limit)
    }

    /// Queues a re-plan of the done run `of` under `change` (the text of a change.toml,
    /// SPEC §6, already checked against the network).
    pub fn submit_replan(
        &self,
        of: &Run,
        change: &str,
        time_limit: f64,
    ) -> anyhow::Result<Arc<Run>> {
        self.queue_run(&of.network, Some((of.id.clone(), change)), time_limit)
    }

    fn queue_run(
        &self,
        net: &str,
        replan: Option<(String, &str)>,
        time_limit: f64,
    ) -> anyhow::Result<Arc<Run>> {
        let mut runs = self.lock();
        let ids: Vec<String> = runs.keys().cloned().collect();
        let id = format!("r{}", next_number(&ids));
        let dir = self.workspace.runs_dir(net).join(&id);
        std::fs::create_dir_all(&dir)?;
        if let Some((_, text)) = &replan {
            std::fs::write(dir.join(CHANGE_TOML), text)?;
        }
        let run = Arc::new(Run {
            id: id.clone(),
            network: net.to_owned(),
            replan_of: replan.map(|(of, _)| of),
            dir,
            status: Mutex::new(Status {
                state: State::Queued,
                stage: "в очереди".into(),
                elapsed: 0.0,
                time_limit,
                summary: None,
                error: None,
                stopped_early: false,
                created: now(),
            }),
            version: AtomicU64::new(0),
            stop: Arc::new(AtomicBool::new(false)),
            started: Mutex::new(None),
        });
        runs.insert(id, run.clone());
        drop(runs);
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(run.clone())?;
        Ok(run)
    }

    /// Cancels `run`: a queued run does not start; a running one stops with the best
    /// plan so far. Whether there was anything to cancel.
    pub fn cancel(&self, run: &Run) -> bool {
        let s = run.status();
        match s.state {
            State::Queued => {
                run.stop.store(true, Ordering::SeqCst);
                run.update(|s| {
                    s.state = State::Cancelled;
                    s.stage = "отменено до начала".into();
                });
                run.persist();
                true
            }
            State::Running => {
                run.stop.store(true, Ordering::SeqCst);
                run.update(|s| s.stage = "останавливается: записывается лучший план".into());
                true
            }
            _ => false,
        }
    }
}

/// Solves `run`, writes its plan and reports.
fn work(ws: &Workspace, run: &Run) {
    if run.status().state != State::Queued {
        return;
    }
    *run.started.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    run.update(|s| {
        s.state = State::Running;
        s.stage = "чтение сети".into();
    });
    let result = match &run.replan_of {
        None => solve_and_write(ws, run),
        Some(of) => replan_and_write(ws, run, of),
    };
    let stopped = run.stop.load(Ordering::SeqCst);
    let elapsed = run.status().elapsed;
    run.update(|s| {
        s.elapsed = elapsed;
        match result {
            Ok(summary) => {
                s.state = State::Done;
                s.stage = if stopped {
                    "остановлено: сохранён лучший найденный план".into()
                } else {
                    "готово".into()
                };
                s.summary = Some(summary);
                s.stopped_early = stopped;
            }
            Err(e) => {
                s.state = if stopped && e.to_string().contains("before any group") {
                    State::Cancelled
                } else {
                    State::Failed
                };
                s.stage = "не получилось".into();
                s.error = Some(format!("{e:#}"));
            }
        }
    });
    run.persist();
}

fn solve_and_write(ws: &Workspace, run: &Run) -> anyhow::Result<serde_json::Value> {
    let (net, _) = ws
        .load(&run.network)
        .map_err(|e| anyhow::anyhow!("the network cannot be read: {}", e.0[0]))?;
    let time_limit = run.status().time_limit;
    let opts = SolveOptions {
        time_limit,
        threads: 1,
        stop: Some(run.stop.clone()),
        ..SolveOptions::default()
    };
    let outcome = solve(&net, &opts, &|msg| {
        let msg = stage_ru(msg);
        run.update(|s| s.stage = msg);
    });
    if outcome.interrupted && outcome.plan.groups.is_empty() {
        anyhow::bail!("stopped before any group was planned; nothing was written");
    }
    run.update(|s| s.stage = "проверка и запись плана".into());
    let tt = TravelTimes::new(&net);
    let files = PlanFiles::build(&net, &tt, &outcome);
    write_dir_atomically(&run.plan_dir(), |dir| files.write_checked(dir))?;
    write_run_reports(&net, run)
}

/// Re-plans the plan of run `of` under the change in `run`'s folder: the new plan with
/// changes.csv and notify.csv (SPEC §6), checked against the changed network.
fn replan_and_write(ws: &Workspace, run: &Run, of: &str) -> anyhow::Result<serde_json::Value> {
    let (net, _) = ws
        .load(&run.network)
        .map_err(|e| anyhow::anyhow!("the network cannot be read: {}", e.0[0]))?;
    let text = std::fs::read_to_string(run.change_file())?;
    let change = parse_change(&net, &text, CHANGE_TOML)
        .map_err(|d| anyhow::anyhow!("the change cannot be used: {}", d[0]))?;
    let old_dir = ws.runs_dir(&run.network).join(of).join("plan");
    let old = crate::planfile::read::read_plan(&net, &old_dir)
        .map_err(|e| anyhow::anyhow!("the plan {of} cannot be read: {e}"))?;
    let opts = ReplanOptions {
        time_limit: run.status().time_limit,
        threads: 1,
        keep: None,
        lang: crate::lang::Lang::Ru,
        stop: Some(run.stop.clone()),
        fresh: false,
    };
    let r = replan(&net, &old, &change, &opts, &|msg| {
        let msg = stage_ru(msg);
        run.update(|s| s.stage = msg);
    });
    run.update(|s| s.stage = "проверка и запись плана".into());
    write_dir_atomically(&run.plan_dir(), |dir| write_replan(&r, &old, &net, dir))?;
    write_run_reports(&r.net, run)
}

/// Writes the reports of `run`'s plan (for `net`) and gives its summary.json.
fn write_run_reports(net: &Network, run: &Run) -> anyhow::Result<serde_json::Value> {
    run.update(|s| s.stage = "отчёты".into());
    let tt = TravelTimes::new(net);
    let disk = crate::planfile::read::read_plan(net, &run.plan_dir())?;
    let input = ReportInput::new(
        net,
        &tt,
        &disk,
        crate::lang::Lang::Ru,
        crate::reports::Date::today(),
    );
    write_dir_atomically(&run.report_dir(), |dir| write_reports(&input, dir))?;
    let summary = std::fs::read(run.plan_dir().join("summary.json"))?;
    Ok(serde_json::from_slice(&summary)?)
}

/// The optimiser's progress message in Russian (the stages of [`crate::solve::solve`]);
/// one it does not know is shown as it is.
fn stage_ru(msg: &str) -> String {
    const STAGES: [(&str, &str); 13] = [
        (
            "repairing the published plan",
            "перепланирование: кого изменение не задело, остаются на своих местах",
        ),
        (
            "planning again from scratch for comparison",
            "для сравнения: план заново с нуля",
        ),
        (
            "re-optimising around the untouched students",
            "перерасчёт: незатронутые ученики закреплены",
        ),
        (
            "re-optimising with the students who could gain released",
            "перерасчёт: ученики, которым можно помочь, освобождены",
        ),
        (
            "preparing students and candidate groups",
            "подготовка: ученики и возможные группы",
        ),
        (
            "greedy plans and local search",
            "первые планы и их улучшение",
        ),
        (
            "proving the bound",
            "доказательство оценки: сколько выборов можно выполнить в лучшем случае",
        ),
        (
            "stage 1: proving a bound",
            "оценка: сколько выборов можно выполнить в лучшем случае",
        ),
        (
            "stage 2: seating students exactly in the best groups",
            "точная рассадка учеников по лучшим группам",
        ),
        (
            "equal access: raising the worst school's placement rate",
            "равный доступ: поднимаем долю худшей школы",
        ),
        (
            "less travel for the same placements",
            "меньше поездок при тех же зачислениях",
        ),
        ("bus trips", "рейсы автобусов"),
        (
            "search again with students the buses cannot carry kept at home",
            "повторный поиск: кого не довезти, учатся у себя",
        ),
    ];
    STAGES
        .iter()
        .find(|(en, _)| msg.starts_with(en))
        .map_or_else(|| msg.to_owned(), |(_, ru)| (*ru).to_owned())
}

#[cfg(test)]
mod tests {
    use super::stage_ru;

    #[test]
    fn every_stage_of_the_solver_is_said_in_russian() {
        // The messages solve() sends, as its source has them.
        let src = [
            include_str!("../solve/mod.rs"),
            include_str!("../workflow/replan.rs"),
        ]
        .concat();
        let mut n = 0;
        for part in src.split("progress(\"").skip(1) {
            let msg = part.split('"').next().unwrap();
            assert_ne!(stage_ru(msg), msg, "no Russian for '{msg}'");
            n += 1;
        }
        assert!(n >= 7, "{n}");
    }
}
