//! A Judge0 CE 1.13.1 compatible subset at the root, enough for Judge0's clients (its
//! official Python SDK among them) to run code here: `GET /about`, `/config_info`,
//! `/languages`, `/languages/{id}`, `/statuses`; `POST /submissions`,
//! `GET /submissions/{token}`, `POST /submissions/batch`, `GET /submissions/batch?tokens=`.
//! Judge0's field names, units (seconds, KB), status ids and language ids (71 Python,
//! 72 Ruby, 63 JavaScript). Where polyrun differs (one wall-clock limit, output always
//! UTF-8, no compile step, memory not measured), README.md's API section says how.

mod compare;
mod exec;
pub mod handlers;
pub mod model;
pub mod render;
pub mod request;
pub mod store;

use std::sync::Arc;

use axum::Router;
use axum::routing::{MethodRouter, get, post};

use super::state::AppState;

/// The Judge0 routes, to merge into the API's router; each also with a trailing slash
/// (`/submissions/?wait=true`), as Judge0 (Rails) accepts it and clients write it.
pub fn routes() -> Router<Arc<AppState>> {
    let routes: [(&str, MethodRouter<Arc<AppState>>); 9] = [
        ("/about", get(handlers::about)),
        ("/config_info", get(handlers::config_info)),
        ("/languages", get(handlers::languages)),
        ("/languages/all", get(handlers::all_languages)),
        ("/languages/{id}", get(handlers::language)),
        ("/statuses", get(handlers::statuses)),
        ("/submissions", post(handlers::create)),
        (
            "/submissions/batch",
            get(handlers::batch_show).post(handlers::batch_create),
        ),
        ("/submissions/{token}", get(handlers::show)),
    ];
    routes.into_iter().fold(Router::new(), |router, (path, handler)| {
        router.route(path, handler.clone()).route(&format!("{path}/"), handler)
    })
}
