//! Fetching the static problem files the site serves next to the page:
//! `problems/index.json` (the list) and `problems/<id>.json` (a problem's public view).

use gloo_net::http::Request;
use polyrun_core::problem::{ProblemSummary, PublicProblem, is_valid_id};

/// Why a problem could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// There is no such problem.
    NotFound,
    /// Anything else, for people.
    Other(String),
}

/// The problem list.
pub async fn fetch_index() -> Result<Vec<ProblemSummary>, FetchError> {
    get_json("./problems/index.json").await
}

/// A problem's public view (statement, metadata, public tests).
pub async fn fetch_problem(id: &str) -> Result<PublicProblem, FetchError> {
    if !is_valid_id(id) {
        return Err(FetchError::NotFound);
    }
    get_json(&format!("./problems/{id}.json")).await
}

async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, FetchError> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|e| FetchError::Other(format!("could not reach the server: {e}")))?;
    match response.status() {
        200..=299 => {}
        404 | 410 => return Err(FetchError::NotFound),
        status => {
            return Err(FetchError::Other(format!(
                "the server answered {status} {}",
                response.status_text()
            )));
        }
    }
    let text = response
        .text()
        .await
        .map_err(|e| FetchError::Other(format!("could not read the answer: {e}")))?;
    // A static host that answers every path with the app's page means "no such file".
    if text.trim_start().starts_with('<') {
        return Err(FetchError::NotFound);
    }
    serde_json::from_str(&text).map_err(|e| FetchError::Other(format!("{url} is not what the app expects: {e}")))
}
