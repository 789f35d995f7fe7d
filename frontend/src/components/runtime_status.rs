//! A language runtime's state: `data-testid="runtime-status"` with `data-state` =
//! `loading` (with a progress bar in bytes), `ready` or `error` (with a Retry button).

use polyrun_core::Language;
use yew::prelude::*;

use crate::hooks::{use_runtime, use_sandbox};
use crate::sandbox::RuntimeView;
use crate::units::megabytes;

/// Properties of [`RuntimeStatus`].
#[derive(Properties, PartialEq)]
pub struct RuntimeStatusProps {
    /// The language whose runtime is shown.
    pub language: Language,
}

/// The runtime status indicator.
#[component]
pub fn RuntimeStatus(props: &RuntimeStatusProps) -> Html {
    let language = props.language;
    let view = use_runtime(language);
    let sandbox = use_sandbox();
    let name = language.display_name();
    match view {
        // Idle is shown as loading: the page asks for the runtime as soon as it shows a language.
        RuntimeView::Idle | RuntimeView::Loading { .. } => {
            let (loaded, total) = match view {
                RuntimeView::Loading { loaded, total } => (loaded, total),
                _ => (0, None),
            };
            let label = match total {
                Some(total) if total > 0 => format!("{} of {}", megabytes(loaded), megabytes(total)),
                _ if loaded > 0 => megabytes(loaded),
                _ => "starting…".to_owned(),
            };
            html! {
                <div class="runtime-status loading" data-testid="runtime-status" data-state="loading"
                    data-language={language.id()} role="status" aria-live="polite">
                    <span class="runtime-label">{ format!("Loading {name}") }</span>
                    if let Some(total) = total.filter(|t| *t > 0) {
                        <progress max={total.to_string()} value={loaded.min(total).to_string()}></progress>
                    } else {
                        <progress></progress>
                    }
                    <span class="runtime-bytes">{ label }</span>
                </div>
            }
        }
        RuntimeView::Ready => html! {
            <div class="runtime-status ready" data-testid="runtime-status" data-state="ready"
                data-language={language.id()} role="status">
                <span class="dot" aria-hidden="true"></span>
                { format!("{name} ready") }
            </div>
        },
        RuntimeView::Error(message) => {
            let retry = Callback::from(move |_: MouseEvent| sandbox.0.load(language));
            html! {
                <div class="runtime-status error" data-testid="runtime-status" data-state="error"
                    data-language={language.id()} role="alert">
                    <span class="runtime-label">{ format!("{name} failed to load: {message}") }</span>
                    <button type="button" class="button small" data-testid="runtime-retry" onclick={retry}>{ "Retry" }</button>
                </div>
            }
        }
    }
}
