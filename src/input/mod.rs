//! What people give profnet: a network bundle (SPEC §1), its files described once
//! ([`schema`]), read one CSV table at a time ([`table`]) into a whole network
//! ([`bundle`]) and written back ([`write`]); what-if
//! scenarios (SPEC §5, [`scenario`]); changes to a published plan (SPEC §6, [`change`]);
//! the choice files schools send ([`collect`]); synthetic networks ([`generate`]); the
//! warnings a valid network still gets ([`validate`]); the pins of SPEC §8 ([`pins`]).

pub mod bundle;
pub mod change;
pub mod collect;
pub mod collect_xlsx;
pub mod files;
pub mod generate;
pub mod offer;
pub mod pins;
pub mod scenario;
pub mod schema;
pub mod table;
pub mod validate;
pub mod workbook;
pub mod write;

pub use bundle::{load, load_bundle, load_from_memory};
pub use files::BundleFiles;

/// Parses a boolean cell the way SPEC §1 allows: `yes/no`, `true/false`, `1/0`,
/// `да/нет` (any case, surrounding spaces ignored). `None` for anything else,
/// including an empty cell.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "true" | "1" | "да" => Some(true),
        "no" | "false" | "0" | "нет" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_bool;

    #[test]
    fn booleans() {
        for s in ["yes", "YES", " true ", "1", "да", "ДА", "Да"] {
            assert_eq!(parse_bool(s), Some(true), "{s}");
        }
        for s in ["no", "No", "FALSE", "0", "нет", " НЕТ"] {
            assert_eq!(parse_bool(s), Some(false), "{s}");
        }
        for s in ["", "y", "2", "maybe", "yes no", "д"] {
            assert_eq!(parse_bool(s), None, "{s}");
        }
    }
}
