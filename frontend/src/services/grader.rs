//! Talking to a grader: submitting (`POST {grader}/api/v1/grade`, which runs the hidden
//! tests too), running a whole program (`POST {grader}/api/v1/run`, the playground), and, for the signed-in person, `GET /api/v1/me`, their submissions and the
//! gradebook. The grader's URL comes from `<meta name="polyrun-grader" content="https://…">`
//! in the page; without one, Submit stays disabled and there is no signing in.
//!
//! Every call sends `Authorization: Bearer <token>` when someone is signed in; the token
//! goes to the grader and nowhere else.

use gloo_net::http::{Request, RequestBuilder, Response};
use polyrun_core::Language;
use polyrun_core::api::{ErrorBody, GradeRequest, RunRequest};
use polyrun_core::report::{GradeReport, RunReport};
use serde::de::DeserializeOwned;

use crate::account::{Gradebook, Me, SubmissionDetail, SubmissionPage};

/// The grader's base URL, when the page names one.
pub fn grader_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector("meta[name=\"polyrun-grader\"]").ok()??;
    let url = meta.get_attribute("content")?.trim().trim_end_matches('/').to_owned();
    (!url.is_empty()).then_some(url)
}

/// Why a call to the grader failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401: no token, or one the grader does not know.
    Unauthorized(String),
    /// 403: the token's role may not do this.
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// Anything else (network, 4xx, 5xx, an answer that is not what the app expects).
    Other(String),
}

impl ApiError {
    /// For people.
    pub fn message(&self) -> &str {
        match self {
            ApiError::Unauthorized(m) | ApiError::Forbidden(m) | ApiError::NotFound(m) | ApiError::Other(m) => m,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

fn with_token(builder: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    match token {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

/// `POST {base}{path}` with `body` as JSON (and the token, when there is one).
async fn post_json(
    base: &str,
    path: &str,
    token: Option<&str>,
    body: &impl serde::Serialize,
) -> Result<Response, String> {
    let body = serde_json::to_string(body).map_err(|e| e.to_string())?;
    with_token(Request::post(&format!("{base}{path}")), token)
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(unreachable)
}

async fn send(builder: RequestBuilder) -> Result<Response, ApiError> {
    builder.send().await.map_err(|e| ApiError::Other(unreachable(e)))
}

/// Why a request never got an answer, for people: the browser's own reason ("TypeError:
/// Failed to fetch") tells them nothing.
fn unreachable(_: gloo_net::Error) -> String {
    let offline = web_sys::window().is_some_and(|w| !w.navigator().on_line());
    if offline {
        "You are offline, so the grader cannot be reached: try again once you are back online \
         (Run works offline)."
            .to_owned()
    } else {
        "The grader cannot be reached: the network or the grader is down. Try again in a moment.".to_owned()
    }
}

/// The grader's refusal as an [`ApiError`], with its `{"error"}` text when it sent one.
async fn refusal(response: Response) -> ApiError {
    let status = response.status();
    let reason = match response.json::<ErrorBody>().await {
        Ok(ErrorBody { error }) => error,
        Err(_) => response.status_text(),
    };
    match status {
        401 => ApiError::Unauthorized(format!(
            "the grader does not know this token: sign in again (401: {reason})"
        )),
        403 => ApiError::Forbidden(format!("this account may not do that (403: {reason})")),
        404 => ApiError::NotFound(format!("not found on the grader (404: {reason})")),
        _ => ApiError::Other(format!("the grader answered {status}: {reason}")),
    }
}

async fn get_json<T: DeserializeOwned>(url: &str, token: Option<&str>) -> Result<T, ApiError> {
    let response = send(with_token(Request::get(url), token)).await?;
    if !response.ok() {
        return Err(refusal(response).await);
    }
    response
        .json::<T>()
        .await
        .map_err(|e| ApiError::Other(format!("the grader's answer is not what the app expects: {e}")))
}

/// Grades `source` on the grader at `base` (core's [`GradeRequest`], sent as
/// `application/json`: the grader answers 415 to a body declared as anything else).
pub async fn submit(
    base: &str,
    token: Option<&str>,
    problem: &str,
    language: Language,
    source: &str,
) -> Result<GradeReport, String> {
    let response = post_json(
        base,
        "/api/v1/grade",
        token,
        &GradeRequest::new(problem, language, source),
    )
    .await?;
    if response.ok() {
        return response
            .json::<GradeReport>()
            .await
            .map_err(|e| format!("the grader's answer is not a grade report: {e}"));
    }
    let status = response.status();
    match (status, response.json::<ErrorBody>().await) {
        (401, _) if token.is_none() => Err("This grader needs you to sign in before you submit (401).".to_owned()),
        (401, _) => Err("The grader no longer accepts your token: sign in again (401).".to_owned()),
        (_, Ok(ErrorBody { error })) => Err(format!("the grader refused the submission ({status}): {error}")),
        (_, Err(_)) => Err(format!("the grader answered {status} {}", response.status_text())),
    }
}

/// Runs a whole program on the grader at `base` (`POST /api/v1/run`).
pub async fn run_program(base: &str, token: Option<&str>, request: &RunRequest) -> Result<RunReport, String> {
    let response = post_json(base, "/api/v1/run", token, request).await?;
    if !response.ok() {
        return Err(refusal(response).await.to_string());
    }
    response
        .json::<RunReport>()
        .await
        .map_err(|e| format!("the grader's answer is not a run report: {e}"))
}

/// Who `token` belongs to (`GET /api/v1/me`).
pub async fn me(base: &str, token: &str) -> Result<Me, ApiError> {
    match get_json::<Me>(&format!("{base}/api/v1/me"), Some(token)).await {
        Err(ApiError::Unauthorized(_)) => Err(ApiError::Unauthorized(
            "The grader does not know this token (401): check that it was copied whole, or ask for a new one.".into(),
        )),
        Err(ApiError::NotFound(_)) => Err(ApiError::Other(
            "This grader does not support signing in (no /api/v1/me).".into(),
        )),
        other => other,
    }
}

/// `text` as a URL query value.
fn query_value(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}

/// The newest submissions of `problem` by `user` (the token's holder: a teacher's token
/// would list everyone's otherwise).
pub async fn submissions(
    base: &str,
    token: &str,
    user: &str,
    problem: &str,
    limit: u32,
) -> Result<SubmissionPage, ApiError> {
    let url = format!(
        "{base}/api/v1/submissions?problem={}&user={}&limit={limit}",
        query_value(problem),
        query_value(user)
    );
    get_json(&url, Some(token)).await
}

/// One submission, with its source and report.
pub async fn submission(base: &str, token: &str, id: &str) -> Result<SubmissionDetail, ApiError> {
    get_json(&format!("{base}/api/v1/submissions/{}", query_value(id)), Some(token)).await
}

/// The gradebook (teachers only).
pub async fn gradebook(base: &str, token: &str) -> Result<Gradebook, ApiError> {
    get_json(&format!("{base}/api/v1/gradebook"), Some(token)).await
}

/// The gradebook as CSV text (teachers only).
pub async fn gradebook_csv(base: &str, token: &str) -> Result<String, ApiError> {
    let response = send(with_token(
        Request::get(&format!("{base}/api/v1/gradebook?format=csv")),
        Some(token),
    ))
    .await?;
    if !response.ok() {
        return Err(refusal(response).await);
    }
    response
        .text()
        .await
        .map_err(|e| ApiError::Other(format!("could not read the grader's answer: {e}")))
}
