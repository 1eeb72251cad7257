//! plan.xlsx (file path given).

use std::path::Path;

use super::ReportInput;

/// Writes plan.xlsx (file path given).
pub fn write(input: &ReportInput, path: &Path) -> anyhow::Result<()> {
    let _ = (input, path);
    anyhow::bail!("not written yet")
}
