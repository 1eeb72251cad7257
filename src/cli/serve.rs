//! `profnet serve`: the web workspace (SPEC §9) on this computer or the office network.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::{EXIT_BAD_INPUT, EXIT_FAIL};

#[derive(clap::Args)]
pub struct Args {
    /// The workspace folder: one folder per network with its bundle, plans and reports
    /// (created if missing).
    #[arg(long, default_value = "profnet-workspace")]
    pub workspace: PathBuf,
    /// Address to listen on. The default is this computer only; another address (the
    /// office network) needs --password-file. Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A file holding the access password (its first line), asked for at login.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Open the workspace in the browser once it listens.
    #[arg(long)]
    pub open: bool,
    /// Solves at once [default: one per core].
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
}

pub fn run(args: &Args) -> u8 {
    let password = match &args.password_file {
        None => None,
        Some(f) => match std::fs::read_to_string(f) {
            Ok(t) => {
                let pw = t.lines().next().unwrap_or("").trim().to_owned();
                if pw.chars().count() < 8 {
                    errln!(
                        "profnet: the password in {} is shorter than 8 characters; choose a longer one",
                        f.display()
                    );
                    return EXIT_BAD_INPUT;
                }
                Some(pw)
            }
            Err(e) => {
                errln!("profnet: cannot read --password-file {}: {e}", f.display());
                return EXIT_BAD_INPUT;
            }
        },
    };
    if !args.listen.ip().is_loopback() && password.is_none() {
        errln!(
            "profnet: --listen {} is reachable from other computers: give --password-file with the access password, or listen on 127.0.0.1",
            args.listen
        );
        return EXIT_BAD_INPUT;
    }
    let open = args.open;
    let workspace = args.workspace.clone();
    let opts = profnet::serve::ServeOptions {
        workspace: args.workspace.clone(),
        listen: args.listen,
        password,
        workers: args
            .workers
            .unwrap_or_else(|| super::default_threads() as usize)
            .max(1),
        on_listen: Box::new(move |addr| {
            let url = format!("http://{addr}/");
            outln!(
                "profnet serve: {url} (workspace {}); stop with Ctrl-C",
                workspace.display()
            );
            if open {
                // A browser that cannot be started is not an error: the address is printed.
                let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
            }
        }),
    };
    match profnet::serve::serve(opts) {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            errln!("profnet: the workspace stopped: {e:#}");
            EXIT_FAIL
        }
    }
}
