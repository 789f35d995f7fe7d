//! polyrun's HTTP API (`polyrun serve`; spec: "HTTP API"): one axum `Router` over the
//! grader library, the same served on a socket (`serve.rs`) or on AWS Lambda (`lambda.rs`).
//! Routes:
//! `GET /api/v1/problems`, `GET /api/v1/problems/{id}`, `POST /api/v1/grade`,
//! `POST /api/v1/run`, `GET /api/v1/me`, `GET /api/v1/submissions[/{id}]`,
//! `GET /api/v1/gradebook`, `GET /api/v1/openapi.json` (the contract of all of these, generated
//! from the handlers' types), a Judge0 CE compatible subset at the root (`judge0`), and the
//! web app's files at `/`. Every error is `{"error": "<what is wrong>"}` with a 4xx status
//! (415 for a body declared as anything but JSON); nothing a client sends gets a 5xx.

pub mod admission;
pub mod auth;
pub mod body;
pub mod clients;
mod error;
pub mod judge0;
pub mod openapi;
pub mod routes;
pub mod site;
mod state;
pub mod submissions;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::{Method, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowHeaders, CorsLayer};

pub use error::{ApiError, shown};
pub use state::AppState;

/// The router: the API, and the site in `site` (if any) at `/`.
pub fn router(state: Arc<AppState>, site: Option<PathBuf>) -> Router {
    let api = Router::new()
        .route("/api/v1/problems", get(routes::problems))
        .route("/api/v1/problems/{id}", get(routes::problem))
        .route("/api/v1/grade", post(routes::grade))
        .route("/api/v1/run", post(routes::run))
        .route("/api/v1/me", get(submissions::me))
        .route("/api/v1/submissions", get(submissions::list))
        .route("/api/v1/submissions/{id}", get(submissions::show))
        .route("/api/v1/gradebook", get(submissions::gradebook))
        .route("/api/v1/openapi.json", get(openapi::document))
        .merge(judge0::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(Arc::clone(&state), auth::layer))
        .with_state(state)
        // Any page may call the API (an app on a static host, this grader elsewhere), with
        // its token: the headers a preflight asks for are allowed by name, since `*` does
        // not cover `Authorization` (Fetch standard).
        .layer(CorsLayer::permissive().allow_headers(AllowHeaders::mirror_request()));
    let files = site.and_then(|dir| match site::Site::new(&dir) {
        Ok(files) => Some((dir, Arc::new(files))),
        Err(e) => {
            eprintln!("polyrun serve: the site {} cannot be served: {e}", dir.display());
            None
        }
    });
    let app = match files {
        Some((dir, files)) => {
            let index = move || {
                let page = dir.clone();
                async move { site::index(&page).await }
            };
            api.route("/", get(index.clone()))
                .route("/index.html", get(index))
                .fallback(axum::routing::get(site::file).with_state(files).fallback(not_found))
        }
        None => api.fallback(not_found),
    };
    app.layer(axum::middleware::from_fn(site::security_headers))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Unavailable("the grader failed on this request".into()).into_response()
        }))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("there is nothing at {}", shown(uri.path())))
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("{} does not take {method}", uri.path()))
}
