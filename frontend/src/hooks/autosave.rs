//! Saving the draft as the learner types: debounced, and flushed when the language or the
//! problem changes, when the page is left, and when the editor goes away.

use std::cell::RefCell;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use polyrun_core::Language;
use yew::prelude::*;

use crate::services::storage;

/// How long typing must pause before the draft is saved.
const DEBOUNCE_MS: u32 = 400;

/// A draft waiting to be saved: problem, language, code (`None`: the starter code).
type Pending = Option<(String, Language, Option<String>)>;

fn flush(pending: &RefCell<Pending>) {
    if let Some((problem, language, code)) = pending.borrow_mut().take() {
        storage::save_draft(&problem, language, code.as_deref());
    }
}

/// Saves `draft` (the code of `problem` in `language`, `None` when it is the starter code)
/// a moment after it last changed; while `hold` is set the text shown is not the learner's
/// (a share link's code, unedited): what was typed before is saved, and this is not.
#[hook]
pub fn use_autosave(problem: AttrValue, language: Language, draft: Option<String>, hold: bool) {
    let pending = use_mut_ref(|| Pending::None);
    let timer = use_mut_ref(|| Option::<Timeout>::None);
    let first = use_mut_ref(|| true);

    {
        let pending = pending.clone();
        use_effect_with(
            (problem, language, draft, hold),
            move |(problem, language, draft, hold)| {
                // The first render shows what storage already holds.
                if std::mem::replace(&mut *first.borrow_mut(), false) {
                    return;
                }
                if *hold {
                    flush(&pending);
                    return;
                }
                let same_target =
                    matches!(&*pending.borrow(), Some((p, l, _)) if p == problem.as_str() && l == language);
                if !same_target {
                    flush(&pending);
                }
                *pending.borrow_mut() = Some((problem.to_string(), *language, draft.clone()));
                let later = pending.clone();
                *timer.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || flush(&later)));
            },
        );
    }

    use_effect_with((), move |_| {
        let window = web_sys::window().expect("a browser window");
        let listeners: Vec<EventListener> = ["pagehide", "beforeunload"]
            .into_iter()
            .map(|event| {
                let pending = pending.clone();
                EventListener::new(&window, event, move |_| flush(&pending))
            })
            .collect();
        move || {
            drop(listeners);
            flush(&pending);
        }
    });
}
