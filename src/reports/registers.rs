//! registers/: attendance registers and credit-transfer lists (directory path given, to be created).

use std::path::Path;

use super::ReportInput;

/// Writes registers/: attendance registers and credit-transfer lists (directory path given, to be created).
pub fn write(input: &ReportInput, path: &Path) -> anyhow::Result<()> {
    let _ = (input, path);
    anyhow::bail!("not written yet")
}
