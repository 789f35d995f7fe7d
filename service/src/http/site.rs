//! The web app's static files (`--site DIR`, a `trunk build` output). The page is served
//! with `<meta name="polyrun-grader" content=".">` added, so that the app's Submit button
//! grades on this server. Only regular files inside the folder are served: no dotfiles
//! (`.git`, `.env`), no directories, nothing a symlink leads to outside the folder; every
//! answer says `nosniff`, and content-hashed assets may be cached for good.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::error::ApiError;

/// The site folder, as served by [`file`].
pub struct Site {
    /// The folder, symlinks resolved.
    root: PathBuf,
    files: ServeDir,
}

impl Site {
    /// The site in `dir` (which must exist).
    pub fn new(dir: &Path) -> std::io::Result<Self> {
        let root = std::fs::canonicalize(dir)?;
        let files = ServeDir::new(&root).append_index_html_on_directories(false);
        Ok(Site { root, files })
    }

    /// The file `path` (a request path) names, if it is one to serve.
    async fn resolve(&self, path: &str) -> Option<PathBuf> {
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
        // A file's name never ends with a slash (ServeDir would serve `index.html/`).
        if decoded.ends_with('/') {
            return None;
        }
        let mut file = self.root.clone();
        for segment in decoded.split('/').filter(|s| !s.is_empty()) {
            // Dotfiles and `..`; a backslash or NUL is never part of an asset's name.
            if segment.starts_with('.') || segment.contains(['\\', '\0']) {
                return None;
            }
            file.push(segment);
        }
        let real = tokio::fs::canonicalize(&file).await.ok()?;
        let meta = tokio::fs::metadata(&real).await.ok()?;
        (real.starts_with(&self.root) && meta.is_file()).then_some(real)
    }
}

/// Serves the site's file at the request's path, or a JSON 404.
pub async fn file(State(site): State<Arc<Site>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if site.resolve(&path).await.is_none() {
        return ApiError::NotFound(format!("there is nothing at {}", super::shown(&path))).into_response();
    }
    let mut response = match site.files.clone().oneshot(request).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(never) => match never {},
    };
    if is_hashed_asset(&path) && response.status().is_success() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    response
}

/// `nosniff` and no `Referer` on every answer, the API's included.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    response
}

/// Whether `path` names one of Trunk's content-hashed files (`frontend-<16 hex>.js`,
/// `…_bg.wasm`, `style-<16 hex>.css`): its name changes with its content.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

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
    fn hashed_assets_are_told_apart() {
        assert!(is_hashed_asset("/frontend-60ad2a64c5ee05d4.js"));
        assert!(is_hashed_asset("/frontend-60ad2a64c5ee05d4_bg.wasm"));
        assert!(is_hashed_asset("/style-43c702a487fe9c3a.css"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/js/worker.js"));
        assert!(!is_hashed_asset("/runtimes/manifest.json"));
        assert!(!is_hashed_asset("/two-sum-notahexnumber1.js"));
    }

    #[tokio::test]
    async fn only_regular_files_inside_the_folder_are_served() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        let site_dir = dir.path().join("site");
        std::fs::create_dir_all(site_dir.join("js")).unwrap();
        std::fs::create_dir_all(site_dir.join(".git")).unwrap();
        std::fs::write(site_dir.join("js/worker.js"), "w").unwrap();
        std::fs::write(site_dir.join(".env"), "KEY=1").unwrap();
        std::fs::write(site_dir.join(".git/config"), "c").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), site_dir.join("link")).unwrap();
        std::os::unix::fs::symlink(outside.path(), site_dir.join("linked-dir")).unwrap();
        std::os::unix::fs::symlink(site_dir.join("js/worker.js"), site_dir.join("inside")).unwrap();
        let site = Site::new(&site_dir).unwrap();
        assert!(site.resolve("/js/worker.js").await.is_some());
        assert!(site.resolve("/inside").await.is_some(), "a link within the folder");
        for path in [
            "/.env",
            "/%2eenv",
            "/.git/config",
            "/js/../.env",
            "/link",
            "/linked-dir/secret",
            "/js",
            "/js/",
            "/",
            "/missing",
            "/js%5cworker.js",
        ] {
            assert!(site.resolve(path).await.is_none(), "{path} must not be served");
        }
    }

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
