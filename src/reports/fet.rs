//! fet/: the profile day as a FET file (directory path given, to be created).

use std::path::Path;

use super::ReportInput;

/// Writes fet/: the profile day as a FET file (directory path given, to be created).
pub fn write(input: &ReportInput, path: &Path) -> anyhow::Result<()> {
    let _ = (input, path);
    anyhow::bail!("not written yet")
}
