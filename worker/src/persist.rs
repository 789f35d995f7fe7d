//! Keeping Python's memory snapshot between visits. The sandbox frame's opaque origin has
//! no storage, so the frame hands a fresh interpreter's snapshot (made before any user code
//! ran) to the app, which keeps it in its own Cache Storage under a name that changes with
//! the runtime's files and the worker code (`RuntimeFiles::snapshot_cache`). Where Cache
//! Storage is missing (a page served over plain HTTP from another host than localhost) or
//! full, nothing is kept and the frame makes a snapshot on each visit, as before.

use js_sys::{Array, ArrayBuffer, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, CacheStorage, Headers, Response, ResponseInit};

use crate::download::js_error;
use crate::manifest::SNAPSHOT_CACHE_PREFIX;

/// The request the snapshot is kept under, inside its cache.
const ENTRY: &str = "./polyrun/pyodide.snapshot";

/// The response header saying when the snapshot was kept (ms since the epoch).
const STORED_AT: &str = "x-polyrun-stored-at";

fn storage() -> Option<CacheStorage> {
    web_sys::window()?.caches().ok()
}

async fn wait(promise: Result<Promise, JsValue>) -> Result<JsValue, String> {
    let promise = promise.map_err(|e| js_error(&e))?;
    JsFuture::from(promise).await.map_err(|e| js_error(&e))
}

async fn open(storage: &CacheStorage, name: &str) -> Result<Cache, String> {
    Ok(wait(Ok(storage.open(name))).await?.unchecked_into())
}

/// The snapshot kept in cache `name`, if any.
pub(crate) async fn load(name: &str) -> Option<ArrayBuffer> {
    let storage = storage()?;
    if !wait(Ok(storage.has(name))).await.ok()?.as_bool().unwrap_or(false) {
        return None;
    }
    let cache = open(&storage, name).await.ok()?;
    let found = wait(Ok(cache.match_with_str(ENTRY))).await.ok()?;
    let response: Response = found.dyn_into().ok()?;
    let bytes = wait(response.array_buffer()).await.ok()?;
    bytes.dyn_into().ok().filter(|b: &ArrayBuffer| b.byte_length() > 0)
}

/// Keeps `image` in cache `name`, and deletes the snapshots of other builds.
pub(crate) async fn store(name: &str, image: &ArrayBuffer) {
    let Some(storage) = storage() else { return };
    let result = async {
        drop_others(&storage, name).await?;
        let cache = open(&storage, name).await?;
        // When it was kept (tests read it to tell a kept snapshot from a remade one).
        let headers = Headers::new().map_err(|e| js_error(&e))?;
        headers
            .set(STORED_AT, &js_sys::Date::now().to_string())
            .map_err(|e| js_error(&e))?;
        let init = ResponseInit::new();
        init.set_headers(&headers);
        let response = Response::new_with_opt_buffer_source_and_init(Some(image), &init).map_err(|e| js_error(&e))?;
        wait(Ok(cache.put_with_str(ENTRY, &response))).await?;
        Ok::<(), String>(())
    }
    .await;
    if let Err(reason) = result {
        web_sys::console::warn_1(&format!("polyrun: the Python snapshot was not kept: {reason}").into());
    }
}

/// Deletes the snapshot in cache `name` (it failed to start a worker).
pub(crate) async fn forget(name: &str) {
    if let Some(storage) = storage() {
        let _ = wait(Ok(storage.delete(name))).await;
    }
}

async fn drop_others(storage: &CacheStorage, keep: &str) -> Result<(), String> {
    let names: Array = wait(Ok(storage.keys())).await?.unchecked_into();
    for name in names.iter().filter_map(|n| n.as_string()) {
        if name.starts_with(SNAPSHOT_CACHE_PREFIX) && name != keep {
            wait(Ok(storage.delete(&name))).await?;
        }
    }
    Ok(())
}
