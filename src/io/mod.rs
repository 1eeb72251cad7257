//! Reading input files: one CSV table at a time ([`table`]) and a whole network bundle
//! ([`bundle`], SPEC §1).

pub mod bundle;
pub mod table;
pub mod write;

pub use bundle::{load, load_from_memory};

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
