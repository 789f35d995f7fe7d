//! Who is calling (spec: "People and tokens"): `Authorization: Bearer <token>` or Judge0's
//! `X-Auth-Token: <token>`, looked up by its SHA-256 in the store on every request (so a
//! revoked token stops working at once, on every process). Under `--auth tokens` every
//! route needs one but the public ones: the web app's files, the problem list and views,
//! the OpenAPI document and Judge0's information routes. Tokens are never logged.

use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use polyrun_store::{Identity, Role, hash_token};

use super::error::ApiError;
use super::state::AppState;

/// Whether tokens are needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Anyone may run and grade (the default); teachers' routes still need a token.
    Open,
    /// Every route but the public ones needs a token.
    Tokens,
}

impl FromStr for AuthMode {
    type Err = String;
    fn from_str(s: &str) -> Result<AuthMode, String> {
        match s {
            "open" => Ok(AuthMode::Open),
            "tokens" => Ok(AuthMode::Tokens),
            other => Err(format!("'{other}' is not an auth mode: open or tokens")),
        }
    }
}

/// The caller of a request: who holds the token it sent, if any.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Identity>);

impl Caller {
    /// The caller's name, for the submissions they make.
    pub fn name(&self) -> Option<String> {
        self.0.as_ref().map(|i| i.name.clone())
    }

    /// The caller, or 401.
    pub fn required(&self) -> Result<&Identity, ApiError> {
        self.0
            .as_ref()
            .ok_or_else(|| ApiError::Unauthorized("this needs a token: Authorization: Bearer <token>".into()))
    }

    /// A teacher, else 401 (no token) or 403.
    pub fn teacher(&self) -> Result<&Identity, ApiError> {
        let who = self.required()?;
        if who.role != Role::Teacher {
            return Err(ApiError::Forbidden(format!(
                "{} is a learner: this is for teachers",
                who.name
            )));
        }
        Ok(who)
    }

    /// Whether the caller may read a submission made by `user`: a learner only their own
    /// (under `--auth open`, anyone without a token holding its id may).
    pub fn may_read(&self, user: Option<&str>) -> bool {
        match &self.0 {
            Some(who) if who.role == Role::Learner => user == Some(who.name.as_str()),
            _ => true,
        }
    }
}

/// The token a request carries: `Ok(None)` when none, `Err` for a malformed header.
fn token(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let malformed = || ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into());
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| malformed())?;
        let (scheme, token) = value.trim().split_once(' ').ok_or_else(malformed)?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(malformed());
        }
        return Ok(Some(token.trim()));
    }
    match headers.get("x-auth-token") {
        Some(value) => match value.to_str() {
            Ok(t) if !t.trim().is_empty() => Ok(Some(t.trim())),
            _ => Err(ApiError::Unauthorized("X-Auth-Token is empty or not text".into())),
        },
        None => Ok(None),
    }
}

/// Whether a route is served without a token under `--auth tokens`.
pub fn is_public(method: &Method, path: &str) -> bool {
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    let api = path == "/api/v1" || path.starts_with("/api/v1/");
    let judge0_private = path == "/submissions" || path.starts_with("/submissions/");
    if api {
        return path == "/api/v1/problems" || path.starts_with("/api/v1/problems/") || path == "/api/v1/openapi.json";
    }
    // The web app's files and Judge0's /about, /config_info, /languages, /statuses.
    !judge0_private
}

/// The layer: resolves the caller (401 for a token that is malformed, unknown or revoked)
/// and refuses a private route without one under `--auth tokens`.
pub async fn layer(State(state): State<Arc<AppState>>, mut request: Request, next: Next) -> Response {
    let public = is_public(request.method(), request.uri().path());
    let caller = if public {
        // Public routes never look at a token (a stale one in a browser still lists problems).
        Caller(None)
    } else {
        match resolve(&state, request.headers()).await {
            Ok(caller) => caller,
            Err(e) => return e.into_response(),
        }
    };
    if !public && state.auth == AuthMode::Tokens && caller.0.is_none() {
        return ApiError::Unauthorized(
            "this server needs a token: Authorization: Bearer <token> (or X-Auth-Token)".into(),
        )
        .into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some(secret) = token(headers)? else {
        return Ok(Caller(None));
    };
    match state.store.identity(&hash_token(secret)).await? {
        Some(identity) => Ok(Caller(Some(identity))),
        None => Err(ApiError::Unauthorized("the token is unknown or revoked".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_routes_are_the_spec_s() {
        for path in [
            "/",
            "/index.html",
            "/app.js",
            "/api/v1/problems",
            "/api/v1/problems/two-sum",
            "/api/v1/openapi.json",
            "/about",
            "/languages/",
            "/languages/71",
            "/statuses",
            "/config_info",
        ] {
            assert!(is_public(&Method::GET, path), "{path}");
        }
        for (method, path) in [
            (Method::POST, "/api/v1/grade"),
            (Method::POST, "/api/v1/run"),
            (Method::GET, "/api/v1/me"),
            (Method::GET, "/api/v1/submissions"),
            (Method::GET, "/api/v1/submissions/abc"),
            (Method::GET, "/api/v1/gradebook"),
            (Method::GET, "/submissions/abc"),
            (Method::GET, "/submissions/"),
            (Method::POST, "/submissions"),
            (Method::GET, "/api/v1/nothing"),
            (Method::POST, "/about"),
        ] {
            assert!(!is_public(&method, path), "{method} {path}");
        }
    }

    #[test]
    fn tokens_come_from_bearer_or_x_auth_token() {
        let mut h = HeaderMap::new();
        assert!(matches!(token(&h), Ok(None)));
        h.insert("x-auth-token", "pr_abc".parse().expect("header"));
        assert_eq!(token(&h).ok().flatten(), Some("pr_abc"));
        h.insert(header::AUTHORIZATION, "bearer  pr_xyz ".parse().expect("header"));
        assert_eq!(token(&h).ok().flatten(), Some("pr_xyz"));
        for bad in ["Basic abc", "Bearer", "Bearer   ", "pr_xyz"] {
            h.insert(header::AUTHORIZATION, bad.parse().expect("header"));
            assert!(matches!(token(&h), Err(ApiError::Unauthorized(_))), "{bad}");
        }
    }
}
