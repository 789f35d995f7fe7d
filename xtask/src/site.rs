//! `cargo xtask site-problems DIR`: writes the public part of the problem bank as static
//! JSON for the web app (`index.json` and `<id>.json`), never a hidden test or a solution.

use std::path::Path;

use anyhow::{Context, bail};
use polyrun_core::ProblemBank;

/// Writes `index.json` and one `<id>.json` per problem into `out`.
pub fn write_public_problems(bank_dir: &Path, out: &Path) -> anyhow::Result<()> {
    let bank = ProblemBank::new(bank_dir);
    let mut summaries = Vec::new();
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for id in bank
        .ids()
        .with_context(|| format!("cannot read {}", bank_dir.display()))?
    {
        let problem = match bank.load(&id) {
            Ok(problem) => problem,
            Err(e) => bail!("{e}"),
        };
        let public = problem.public();
        std::fs::write(out.join(format!("{id}.json")), serde_json::to_vec(&public)?)?;
        summaries.push(problem.summary());
    }
    std::fs::write(out.join("index.json"), serde_json::to_vec(&summaries)?)?;
    Ok(())
}
