//! Getting a pack's bytes: from a URL (a CORS `fetch`, as any static host serves it,
//! refused at once when `Content-Length` is over the cap, and read chunk by chunk, stopped
//! as soon as it grows past the cap), or from a chosen file (its size checked before it is
//! read). Validation is `crate::packs::accept` (core's `Pack::parse`).

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, ReadableStreamDefaultReader, RequestCache, RequestInit, RequestMode, Response};

use crate::packs::{CappedBody, StoredPack, accept, check_declared_size, check_url, file_key, url_key};

/// `typed` resolved against the page's address (a pack next to the site may be named by
/// a relative path), if it is an http(s) URL.
pub fn resolve_url(typed: &str) -> Result<String, String> {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let resolved = web_sys::Url::new_with_base(typed.trim(), &base).ok().map(|u| u.href());
    check_url(typed, resolved.as_deref())
}

/// Fetches and validates the pack at `url` (already resolved).
pub async fn load_url(url: &str) -> Result<StoredPack, String> {
    let bytes = fetch_capped(url).await?;
    accept(url_key(url), url.to_owned(), &bytes)
}

/// Reads and validates a chosen pack file.
pub async fn load_file(file: &File) -> Result<StoredPack, String> {
    let name = file.name();
    check_declared_size(file.size() as u64).map_err(|e| format!("{name}: {e}"))?;
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("could not read {name}: {}", js_text(&e)))?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    accept(file_key(&name, &bytes), name, &bytes)
}

async fn fetch_capped(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no browser window")?;
    let init = RequestInit::new();
    init.set_mode(RequestMode::Cors);
    init.set_cache(RequestCache::NoCache);
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| {
            format!(
                "could not fetch {url}: {} (offline, or the host does not let other sites read it: CORS)",
                js_text(&e)
            )
        })?
        .unchecked_into();
    if !response.ok() {
        return Err(format!(
            "{url} answered {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let declared = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(size) = declared
        && let Err(e) = check_declared_size(size)
    {
        if let Some(body) = response.body() {
            let _ = body.cancel();
        }
        return Err(e);
    }
    let Some(body) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut read = CappedBody::default();
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("could not read {url}: {}", js_text(&e)))?;
        if Reflect::get(&step, &"done".into()).ok().and_then(|d| d.as_bool()) == Some(true) {
            break;
        }
        let chunk = Reflect::get(&step, &"value".into()).unwrap_or(JsValue::UNDEFINED);
        let chunk: Uint8Array = chunk.unchecked_into();
        if let Err(e) = read.push(&chunk.to_vec()) {
            // Stop the download: the rest is never read.
            let _ = reader.cancel();
            return Err(e);
        }
    }
    Ok(read.into_bytes())
}

/// A JavaScript error's message.
fn js_text(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
