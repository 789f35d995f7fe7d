//! Submitting to a grader (`POST {grader}/api/v1/grade`), which runs the hidden tests too.
//! The grader's URL comes from `<meta name="polyrun-grader" content="https://…">` in the
//! page; without one, the Submit button stays disabled.

use gloo_net::http::Request;
use polyrun_core::Language;
use polyrun_core::api::{ErrorBody, GradeRequest};
use polyrun_core::report::GradeReport;

/// The grader's base URL, when the page names one.
pub fn grader_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector("meta[name=\"polyrun-grader\"]").ok()??;
    let url = meta.get_attribute("content")?.trim().trim_end_matches('/').to_owned();
    (!url.is_empty()).then_some(url)
}

/// Grades `source` on the grader at `base` (core's [`GradeRequest`], sent as
/// `application/json`: the grader answers 415 to a body declared as anything else).
pub async fn submit(base: &str, problem: &str, language: Language, source: &str) -> Result<GradeReport, String> {
    let body = serde_json::to_string(&GradeRequest::new(problem, language, source)).map_err(|e| e.to_string())?;
    let request = Request::post(&format!("{base}/api/v1/grade"))
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|e| e.to_string())?;
    let response = request
        .send()
        .await
        .map_err(|e| format!("could not reach the grader: {e}"))?;
    if response.ok() {
        return response
            .json::<GradeReport>()
            .await
            .map_err(|e| format!("the grader's answer is not a grade report: {e}"));
    }
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(ErrorBody { error }) => Err(format!("the grader refused the submission ({status}): {error}")),
        Err(_) => Err(format!("the grader answered {status} {}", response.status_text())),
    }
}
