use std::path::PathBuf;

use profnet::input::generate::{generate, Family, GenParams};
use profnet::input::write::write_bundle;
use profnet::planfile::write::write_dir_atomically;

use super::{EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// rural (villages on a road tree around a centre), chain (schools along one road)
    /// or city (a dense grid).
    #[arg(long, default_value = "rural")]
    pub family: String,
    #[arg(long, default_value_t = 15)]
    pub schools: usize,
    #[arg(long, default_value_t = 1000)]
    pub students: usize,
    #[arg(long, default_value_t = 30)]
    pub courses: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write vehicles.csv with school buses: rural, one 22-seat bus per village
    /// school and two 30-seat buses at the district centre; chain and city, one 22-seat
    /// bus per school.
    #[arg(long)]
    pub fleet: bool,
    /// The bundle directory to write.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &Args) -> u8 {
    let Some(family) = Family::parse(&args.family) else {
        errln!(
            "profnet: --family must be rural, chain, city or scarce (got '{}')",
            args.family
        );
        return EXIT_BAD_INPUT;
    };
    if args.schools == 0 || args.courses == 0 {
        errln!("profnet: --schools and --courses must be at least 1");
        return EXIT_BAD_INPUT;
    }
    let net = generate(&GenParams {
        family,
        schools: args.schools,
        students: args.students,
        courses: args.courses,
        seed: args.seed,
        fleet: args.fleet,
    });
    match write_dir_atomically(&args.out, |dir| write_bundle(&net, dir)) {
        Ok(()) => {
            outln!("{}: {}", args.out.display(), net.name);
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: {e:#}");
            EXIT_FAIL
        }
    }
}
