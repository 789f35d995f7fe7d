//! Fetching a runtime's files from the app's own origin, with byte progress: the manifest,
//! then each file through a `ReadableStream` reader (the HTTP cache serves repeat visits).

use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use polyrun_core::Language;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use crate::manifest::{Manifest, worth_reporting};
use crate::{MANIFEST_FILE, RuntimeState};

/// A runtime's files, by name, as the sandbox worker expects them.
pub(crate) type Files = Vec<(String, ArrayBuffer)>;

/// A downloaded runtime.
pub(crate) struct Runtime {
    pub(crate) files: Files,
    /// Where the app keeps this runtime's memory snapshot (see `persist.rs`).
    pub(crate) snapshot_cache: String,
}

/// Text of a JavaScript error, for messages.
pub(crate) fn js_error(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

async fn get(url: &str) -> Result<Response, String> {
    let window = web_sys::window().ok_or("there is no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("cannot fetch {url}: {}", js_error(&e)))?;
    let response: Response = response.dyn_into().map_err(|_| format!("cannot fetch {url}"))?;
    if !response.ok() {
        return Err(format!("cannot fetch {url}: HTTP {}", response.status()));
    }
    Ok(response)
}

/// Fetches and parses `{base}manifest.json`.
pub(crate) async fn manifest(base: &str) -> Result<Manifest, String> {
    let url = format!("{base}{MANIFEST_FILE}");
    let response = get(&url).await?;
    let text = JsFuture::from(response.text().map_err(|e| js_error(&e))?)
        .await
        .map_err(|e| format!("cannot read {url}: {}", js_error(&e)))?;
    Manifest::parse(&text.as_string().unwrap_or_default())
}

/// Fetches one file, calling `progress` with the bytes read so far of it.
async fn file(url: &str, mut progress: impl FnMut(u64)) -> Result<ArrayBuffer, String> {
    let response = get(url).await?;
    let Some(body) = response.body() else {
        let buffer = JsFuture::from(response.array_buffer().map_err(|e| js_error(&e))?)
            .await
            .map_err(|e| format!("cannot read {url}: {}", js_error(&e)))?;
        let buffer: ArrayBuffer = buffer.unchecked_into();
        progress(u64::from(buffer.byte_length()));
        return Ok(buffer);
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut chunks: Vec<Uint8Array> = Vec::new();
    let mut read: u64 = 0;
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("the download of {url} failed: {}", js_error(&e)))?;
        let done = Reflect::get(&step, &JsValue::from_str("done"))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = Reflect::get(&step, &JsValue::from_str("value")).map_err(|e| js_error(&e))?;
        let chunk: Uint8Array = value
            .dyn_into()
            .map_err(|_| format!("the download of {url} gave no bytes"))?;
        read += u64::from(chunk.length());
        chunks.push(chunk);
        progress(read);
    }
    let length = u32::try_from(read).map_err(|_| format!("{url} is too large"))?;
    let whole = Uint8Array::new_with_length(length);
    let mut at = 0u32;
    for chunk in &chunks {
        whole.set(chunk, at);
        at += chunk.length();
    }
    Ok(whole.buffer())
}

/// Fetches every file of `language`'s runtime under `base`, reporting progress (bytes of
/// all files) through `report` now and then.
pub(crate) async fn runtime(base: &str, language: Language, report: impl Fn(RuntimeState)) -> Result<Runtime, String> {
    let manifest = manifest(base).await?;
    let runtime = manifest.runtime(language)?;
    let snapshot_cache = runtime.snapshot_cache(crate::WORKER_JS);
    let total = runtime.total();
    let mut files = Files::new();
    let mut done: u64 = 0;
    let mut reported: u64 = 0;
    for entry in &runtime.files {
        let url = format!("{base}{}", entry.path);
        let buffer = file(&url, |read| {
            let loaded = done + read;
            if worth_reporting(reported, loaded, Some(total)) {
                reported = loaded;
                report(RuntimeState::Loading {
                    loaded,
                    total: Some(total),
                });
            }
        })
        .await?;
        let size = u64::from(buffer.byte_length());
        if size != entry.size {
            return Err(format!(
                "{url} has {size} bytes, the manifest says {} (a stale cache or a partial download)",
                entry.size
            ));
        }
        done += size;
        files.push((entry.name().to_owned(), buffer));
    }
    report(RuntimeState::Loading {
        loaded: done,
        total: Some(total),
    });
    Ok(Runtime { files, snapshot_cache })
}
