//! `profnet init DIR`: an empty bundle to fill in, one example row per file, and a
//! guide for the people filling it in.

use std::fs;
use std::path::PathBuf;

use profnet::input::collect::bundle_template;
use profnet::planfile::write::write_dir_atomically;

use super::{EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The directory to create (must not exist, or be empty).
    pub dir: PathBuf,
}

pub fn run(args: &Args) -> u8 {
    let dir = &args.dir;
    if dir.exists() {
        let empty = fs::read_dir(dir).map(|mut d| d.next().is_none());
        match empty {
            Ok(true) => {}
            Ok(false) => {
                errln!(
                    "profnet: {} is not empty; init writes only into a new or empty directory (nothing was written)",
                    dir.display()
                );
                return EXIT_BAD_INPUT;
            }
            Err(_) => {
                errln!(
                    "profnet: {} exists and is not a directory (nothing was written)",
                    dir.display()
                );
                return EXIT_BAD_INPUT;
            }
        }
    }
    let files = bundle_template();
    let written = write_dir_atomically(dir, |tmp| {
        for (name, text) in &files {
            fs::write(tmp.join(name), text)?;
        }
        Ok(())
    });
    match written {
        Ok(()) => {
            outln!(
                "{}: a bundle to fill in ({} files, one example row each); read GUIDE.md, then run `profnet validate {}`",
                dir.display(),
                files.len(),
                dir.display()
            );
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: cannot write {}: {e:#}", dir.display());
            EXIT_FAIL
        }
    }
}
