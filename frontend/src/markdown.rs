//! CommonMark to HTML for problem statements, treated as untrusted: raw HTML is shown as
//! text, never interpreted, and links or images with a scheme other than http(s) (or
//! mailto for links) lose their target.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Renders `markdown` to HTML that is safe to insert into the page.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        // Raw HTML becomes visible text (push_html escapes text).
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url, true),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url, false),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    // Code blocks and tables scroll sideways when they are wider than the page (a phone):
    // focusable, so that the keyboard can scroll them too. (Text is escaped: every `<pre>`
    // and `<table>` here is the renderer's.)
    out.replace("<pre>", "<pre tabindex=\"0\">")
        .replace("<table>", "<table tabindex=\"0\">")
}

/// The statement without its first line when that is a level-1 heading (the page shows
/// the problem's title itself).
pub fn strip_title(markdown: &str) -> &str {
    let rest = markdown.trim_start_matches(['\n', '\r']);
    match rest.split_once('\n') {
        Some((first, tail)) if first.starts_with("# ") => tail,
        None if rest.starts_with("# ") => "",
        _ => markdown,
    }
}

/// `url` when it is relative or uses an allowed scheme, `#` otherwise.
fn safe_url(url: CowStr<'_>, link: bool) -> CowStr<'_> {
    // Browsers ignore ASCII whitespace and control characters inside a scheme.
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect();
    let scheme = match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned[i..].starts_with(':') => Some(cleaned[..i].to_ascii_lowercase()),
        _ => None,
    };
    match scheme.as_deref() {
        None | Some("http") | Some("https") => url,
        Some("mailto") if link => url,
        Some(_) => CowStr::Borrowed("#"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_common_markdown() {
        let html =
            render("# Title\n\nSome `code` and **bold**.\n\n```\nf(x) → 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<code>code</code>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("<pre tabindex=\"0\"><code>f(x) → 1\n</code></pre>"));
        assert!(html.contains("<table tabindex=\"0\">"));
    }

    #[test]
    fn leading_title_is_stripped() {
        assert_eq!(strip_title("# Two Sum\n\nGiven"), "\nGiven");
        assert_eq!(strip_title("\n# T"), "");
        assert_eq!(strip_title("## Sub\nx"), "## Sub\nx");
        assert_eq!(strip_title("Text\n# T"), "Text\n# T");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> there <b>b</b>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let html = render("`<pre>` and <table>\n");
        assert!(!html.contains("tabindex"), "{html}");
    }

    #[test]
    fn dangerous_links_lose_their_target() {
        let html = render(
            "[a](javascript:alert(1)) [b](JaVa\tScRiPt:alert(1)) [c](https://example.org/x) [d](./p) [e](mailto:x@y.z) ![i](data:image/png;base64,AA)",
        );
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("href=\"https://example.org/x\""));
        assert!(html.contains("href=\"./p\""));
        assert!(html.contains("href=\"mailto:x@y.z\""));
    }
}
