//! The web app's static files (`--site DIR`, a `trunk build` output). The page is served
//! with `<meta name="polyrun-grader" content=".">` added, so that the app's Submit button
//! grades on this server.

use std::path::{Path, PathBuf};

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use super::error::ApiError;

/// The meta element that tells the app where its grader is (`frontend/src/services/grader.rs`).
const GRADER_META: &str = r#"<meta name="polyrun-grader" content=".">"#;

/// `index.html` of `site`, with [`GRADER_META`] added unless the page names a grader.
pub async fn index(site: &Path) -> Result<Response, ApiError> {
    let path = site.join("index.html");
    let page = tokio::fs::read_to_string(&path)
        .await
        .map_err(|_| ApiError::NotFound(format!("the site has no index.html ({})", path.display())))?;
    let mut response = Html(with_grader(&page)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// `page` with [`GRADER_META`] just before `</head>` (or at the start).
pub fn with_grader(page: &str) -> String {
    if page.contains("name=\"polyrun-grader\"") {
        return page.to_owned();
    }
    match page.find("</head>") {
        Some(at) => format!("{}  {GRADER_META}\n{}", &page[..at], &page[at..]),
        None => format!("{GRADER_META}\n{page}"),
    }
}

/// The site folder to serve: `--site`, else `./dist` when it has an `index.html`, else
/// this checkout's `dist/` when it has one; none: the API alone.
pub fn site_dir(flag: Option<PathBuf>) -> Option<PathBuf> {
    if flag.is_some() {
        return flag;
    }
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("dist");
    [PathBuf::from("dist"), checkout]
        .into_iter()
        .find(|dir| dir.join("index.html").is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_learns_where_its_grader_is() {
        let page = "<!doctype html>\n<html>\n<head>\n<title>x</title>\n</head><body></body></html>";
        let served = with_grader(page);
        assert!(
            served.contains("<title>x</title>\n  <meta name=\"polyrun-grader\" content=\".\">\n</head>"),
            "{served}"
        );
        assert_eq!(with_grader(&served), served, "added once");
    }
}
