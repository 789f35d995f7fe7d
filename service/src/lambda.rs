//! `polyrun lambda`: the same Router as `polyrun serve`, answering AWS Lambda invocations
//! (function URLs, API Gateway HTTP and REST APIs, ALB) through `lambda_http::run`. Run as
//! the function's `bootstrap` on a custom runtime (`provided.al2023`); the runtimes and the
//! problem bank travel in the package, compiled modules are cached in `$POLYRUN_CACHE`.

use std::sync::Arc;

use anyhow::Context;
use polyrun_core::ProblemBank;
use polyrun_grader::{Grader, GraderConfig};
use polyrun_store::Store;

use crate::http::auth::AuthMode;

use crate::http::{AppState, router};

/// Answers invocations until the Lambda service stops the process.
pub async fn serve(
    bank: ProblemBank,
    workers: usize,
    queue: usize,
    store: Arc<dyn Store>,
    auth: AuthMode,
) -> anyhow::Result<()> {
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        anyhow::bail!(
            "AWS_LAMBDA_RUNTIME_API is not set: `polyrun lambda` runs inside AWS Lambda (use `polyrun serve` elsewhere)"
        );
    }
    let config = GraderConfig {
        max_concurrent: workers.max(1),
        ..GraderConfig::default()
    };
    let grader = Arc::new(Grader::new(config)?);
    // During the init phase, before the first invocation is taken.
    grader.warm_up().await.context("cannot load the runtimes")?;
    let describe = store.describe();
    let mut state = AppState::with_store(grader, &bank, workers.max(1) + queue, store, auth)
        .with_context(|| format!("cannot read the problem bank {}", bank.root().display()))?;
    state.runs_finish_in_request = true;
    eprintln!(
        "polyrun lambda: {} problems, store {describe}, ready for invocations",
        state.bank.len()
    );
    lambda_http::run(router(Arc::new(state), None))
        .await
        .map_err(|e| anyhow::anyhow!("the Lambda runtime stopped: {e}"))
}
