//! When the app panics: the message goes to the console and into the page (a banner at the
//! top, `role="alert"`: "polyrun stopped: … Reload the page to go on."), instead of a
//! page that silently stops answering. The hook is installed first thing in `start()`.

/// The text shown for a panic with `message` at `location` (`file:line`, when known).
pub fn stopped_text(message: &str, location: Option<&str>) -> String {
    let message = message.trim();
    let message = if message.is_empty() {
        "an internal error"
    } else {
        message
    };
    let mut text = format!("polyrun stopped: {message}");
    if let Some(location) = location {
        text.push_str(&format!(" (at {location})"));
    }
    text.push_str(". Reload the page to go on; your drafts are saved.");
    text
}

/// The id of the banner a panic writes into the page.
pub const BANNER_ID: &str = "polyrun-stopped";

/// Installs the panic hook: the console, and the banner in the page.
#[cfg(target_arch = "wasm32")]
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
        let text = stopped_text(&message, location.as_deref());
        web_sys::console::error_1(&text.as_str().into());
        show(&text);
    }));
}

/// Puts `text` in the banner (made on the first panic), on top of everything.
#[cfg(target_arch = "wasm32")]
fn show(text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let banner = match document.get_element_by_id(BANNER_ID) {
        Some(banner) => banner,
        None => {
            let Ok(banner) = document.create_element("div") else {
                return;
            };
            banner.set_id(BANNER_ID);
            let _ = banner.set_attribute("role", "alert");
            let _ = banner.set_attribute(
                "style",
                "position:fixed;top:0;left:0;right:0;z-index:2147483647;padding:12px 16px;\
                 background:#b00020;color:#fff;font:16px/1.4 system-ui,sans-serif;",
            );
            match document.body() {
                Some(body) => {
                    let _ = body.prepend_with_node_1(&banner);
                }
                None => return,
            }
            banner
        }
    };
    banner.set_text_content(Some(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_says_what_stopped_and_what_to_do() {
        let text = stopped_text("index out of bounds", Some("src/state.rs:12"));
        assert_eq!(
            text,
            "polyrun stopped: index out of bounds (at src/state.rs:12). Reload the page to go on; your drafts are saved."
        );
        assert!(stopped_text("  ", None).starts_with("polyrun stopped: an internal error. Reload"));
    }
}
