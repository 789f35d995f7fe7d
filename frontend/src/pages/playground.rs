//! The playground (`#/playground`): a whole program with standard input, run in the
//! browser sandbox as `polyrun run` runs it (same runners, limits and exit statuses), or on
//! the grader (`POST /api/v1/run`) when the page names one and the box is ticked. The
//! program and the input are kept as drafts per language.

use polyrun_core::Language;
use polyrun_core::api::RunRequest;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::editor::{Editor, EditorLink};
use crate::components::language_select::LanguageSelect;
use crate::components::runtime_status::RuntimeStatus;
use crate::components::share_bar::{ShareBar, use_shared_link};
use crate::hooks::{use_account, use_autosave, use_grader, use_sandbox};
use crate::pages::welcome::set_title;
use crate::playground::{
    DEFAULT_MEMORY_MB, DEFAULT_TIME_MS, MAX_MEMORY_MB, MAX_TIME_MS, Outcome, SOURCE_DRAFT, STARTER_STDIN,
    STDIN_CAP_BYTES, STDIN_DRAFT, check_stdin, parse_limit, starter,
};
use crate::sandbox::SandboxError;
use crate::services::{grader, storage};
use crate::share::{Share, ShareError, Shared};

/// The program, its input and its language, as the page shows them.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    language: Language,
    source: String,
    stdin: String,
}

impl Draft {
    /// `language`'s kept draft, or its starter.
    fn load(language: Language) -> Self {
        Draft {
            language,
            source: storage::load_draft(SOURCE_DRAFT, language).unwrap_or_else(|| starter(language).to_owned()),
            stdin: storage::load_draft(STDIN_DRAFT, language).unwrap_or_else(|| STARTER_STDIN.to_owned()),
        }
    }
}

/// The last run: its number (counts up, so a test can tell runs apart) and outcome.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    run: u32,
    outcome: Outcome,
}

/// The playground page.
#[component]
pub fn PlaygroundPage() -> Html {
    let draft = use_state(|| Draft::load(storage::last_language().unwrap_or(Language::Python)));
    let time_limit = use_state(|| DEFAULT_TIME_MS.to_string());
    let memory_limit = use_state(|| DEFAULT_MEMORY_MB.to_string());
    let on_grader = use_state(|| false);
    let running = use_state(|| false);
    let shown = use_state(|| Option::<Shown>::None);
    let runs = use_mut_ref(|| 0u32);
    // The number of the run stopped last (Stop): its outcome, when it comes, is dropped.
    let stopped = use_mut_ref(|| 0u32);
    let editor = use_memo((), |_| EditorLink::default());
    let sandbox = use_sandbox();
    let grader_url = use_grader();
    let account = use_account();
    let token = account.token().map(str::to_owned);
    // A share link's program: what it replaced (the learner's draft, kept in storage while
    // the shared program is unedited, and brought back by `restore-draft-button`).
    let shared = use_state(|| Option::<Draft>::None);
    let replaced = use_state(|| Option::<Draft>::None);
    let share_error = use_state(|| Option::<String>::None);
    let language = draft.language;
    let hold = shared.as_ref() == Some(&*draft);

    use_effect_with((), |_| set_title("Playground — polyrun"));
    {
        let draft = draft.clone();
        let shared = shared.clone();
        let replaced = replaced.clone();
        let share_error = share_error.clone();
        let shown = shown.clone();
        use_shared_link(Callback::from(move |opened: Result<Share, ShareError>| match opened {
            Ok(Share {
                language,
                code,
                shared: Shared::Playground { stdin },
            }) => {
                let link = Draft {
                    language,
                    source: code,
                    stdin,
                };
                replaced.set(Some(Draft::load(language)));
                shared.set(Some(link.clone()));
                share_error.set(None);
                shown.set(None);
                draft.set(link);
            }
            Ok(_) => share_error.set(Some("This share link is for a problem, not the playground.".into())),
            Err(e) => share_error.set(Some(e.to_string())),
        }));
    }
    {
        let sandbox = sandbox.clone();
        use_effect_with(language, move |language| {
            sandbox.0.load(*language);
            storage::save_language(*language);
        });
    }
    use_autosave(
        AttrValue::from(SOURCE_DRAFT),
        language,
        (draft.source != starter(language)).then(|| draft.source.clone()),
        hold,
    );
    // An input over the cap is not kept (it would not fit in storage anyway).
    use_autosave(
        AttrValue::from(STDIN_DRAFT),
        language,
        (draft.stdin != STARTER_STDIN && draft.stdin.len() <= STDIN_CAP_BYTES).then(|| draft.stdin.clone()),
        hold,
    );
    let restore_draft = {
        let draft = draft.clone();
        let shared = shared.clone();
        let replaced = replaced.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(mine) = (*replaced).clone() {
                shared.set(None);
                replaced.set(None);
                draft.set(mine);
            }
        })
    };
    let make_share = {
        let draft = draft.clone();
        let editor = editor.clone();
        Callback::from(move |()| Share {
            language: draft.language,
            code: editor.text().unwrap_or_else(|| draft.source.clone()),
            shared: Shared::Playground {
                stdin: draft.stdin.clone(),
            },
        })
    };

    let on_language = {
        let draft = draft.clone();
        let shared = shared.clone();
        let replaced = replaced.clone();
        Callback::from(move |language: Language| {
            if language != draft.language {
                // Another language: the learner's own drafts again (kept in storage).
                shared.set(None);
                replaced.set(None);
                draft.set(Draft::load(language));
            }
        })
    };
    let on_source = {
        let draft = draft.clone();
        Callback::from(move |source: String| {
            if source != draft.source {
                draft.set(Draft {
                    source,
                    ..(*draft).clone()
                });
            }
        })
    };
    let on_stdin = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            draft.set(Draft {
                stdin: area.value(),
                ..(*draft).clone()
            });
        })
    };

    let run = {
        let sandbox = sandbox.clone();
        let draft = draft.clone();
        let time_limit = time_limit.clone();
        let memory_limit = memory_limit.clone();
        let running = running.clone();
        let shown = shown.clone();
        let editor = editor.clone();
        let grader_url = grader_url.clone().filter(|_| *on_grader);
        let runs = runs.clone();
        let stopped = stopped.clone();
        Callback::from(move |()| {
            if *running {
                return;
            }
            // What the editor really holds (it may have been set without an edit event).
            let source = editor.text().unwrap_or_else(|| draft.source.clone());
            let language = draft.language;
            let stdin = draft.stdin.clone();
            let number = {
                let mut runs = runs.borrow_mut();
                *runs += 1;
                *runs
            };
            let checked = check_stdin(&stdin)
                .and_then(|()| parse_limit(&time_limit, MAX_TIME_MS, "time limit (ms)"))
                .and_then(|time| parse_limit(&memory_limit, MAX_MEMORY_MB, "memory limit (MB)").map(|m| (time, m)));
            let (time_ms, memory_mb) = match checked {
                Ok(limits) => limits,
                Err(reason) => {
                    shown.set(Some(Shown {
                        run: number,
                        outcome: Outcome::Failed(reason),
                    }));
                    return;
                }
            };
            running.set(true);
            shown.set(None);
            let sandbox = sandbox.clone();
            let running = running.clone();
            let shown = shown.clone();
            let grader_url = grader_url.clone();
            let token = token.clone();
            let stopped = stopped.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = match grader_url {
                    Some(base) => {
                        let request = RunRequest {
                            language: language.id().to_owned(),
                            source,
                            stdin: Some(stdin),
                            time_limit_ms: Some(time_ms),
                            memory_limit_mb: Some(memory_mb),
                        };
                        grader::run_program(&base, token.as_deref(), &request).await
                    }
                    None => match sandbox
                        .0
                        .run_program(language, &source, &stdin, time_ms, memory_mb)
                        .await
                    {
                        Err(SandboxError::Stopped) => return finish_stopped(&stopped, number, &running, &shown),
                        other => other.map_err(|e| e.to_string()),
                    },
                };
                if *stopped.borrow() == number {
                    // Stop has shown the outcome and freed the page already.
                    return;
                }
                let outcome = result.map_or_else(Outcome::Failed, Outcome::Ran);
                running.set(false);
                shown.set(Some(Shown { run: number, outcome }));
            });
        })
    };

    let onclick = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| run.emit(()))
    };
    // Stop: the program's worker is terminated (a spare takes over, as after a time limit);
    // a run on the grader is no longer waited for.
    let stop_click = {
        let running = running.clone();
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            if !*running {
                return;
            }
            let number = *runs.borrow();
            *stopped.borrow_mut() = number;
            sandbox.0.stop();
            running.set(false);
            shown.set(Some(Shown {
                run: number,
                outcome: Outcome::Stopped,
            }));
        })
    };
    let limit_input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            state.set(input.value());
        })
    };
    let on_grader_toggle = {
        let on_grader = on_grader.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_grader.set(input.checked());
        })
    };

    html! {
        <main class="page playground">
            <h1>{ "Playground" }</h1>
            <p class="muted">
                { "Run a whole program with standard input, as " }<code>{ "polyrun run" }</code>
                { " does: Python input() and sys.stdin, Ruby gets and STDIN, JavaScript readline(), \
                   require(\"fs\").readFileSync(0), process.stdin and readline.createInterface." }
            </p>
            <div class="toolbar">
                <LanguageSelect {language} on_change={on_language} />
                <RuntimeStatus {language} />
                <label class="limit">
                    { "Time limit (ms) " }
                    <input type="number" min="1" max={MAX_TIME_MS.to_string()} data-testid="time-limit-input"
                        value={(*time_limit).clone()} oninput={limit_input(&time_limit)} />
                </label>
                <label class="limit">
                    { "Memory limit (MB) " }
                    <input type="number" min="1" max={MAX_MEMORY_MB.to_string()} data-testid="memory-limit-input"
                        value={(*memory_limit).clone()} oninput={limit_input(&memory_limit)} />
                </label>
                if grader_url.is_some() {
                    <label class="on-grader">
                        <input type="checkbox" data-testid="run-on-grader" checked={*on_grader} onchange={on_grader_toggle} />
                        { " Run on the grader" }
                    </label>
                }
                // aria-disabled, not disabled, while running: a disabled button loses the
                // keyboard focus (to <body>); the callback refuses a second run anyway.
                <button type="button" class="button primary" data-testid="run-button"
                    aria-disabled={running.then_some("true")} {onclick}>{ if *running { "Running…" } else { "Run" } }</button>
                if *running {
                    <button type="button" class="button stop" data-testid="stop"
                        title="Stop the program: its worker is ended" onclick={stop_click}>{ "Stop" }</button>
                }
            </div>
            <ShareBar share={make_share} />
            if let Some(message) = &*share_error {
                <div class="alert error" role="alert" data-testid="share-error">{ message.clone() }</div>
            }
            if replaced.is_some() {
                <div class="alert restore" data-testid="draft-replaced">
                    { "The editor shows the program and input of a share link; yours are kept. " }
                    <button type="button" class="button small" data-testid="restore-draft-button" onclick={restore_draft}>
                        { "Bring back my code" }
                    </button>
                </div>
            }
            <Editor doc={AttrValue::from(draft.source.clone())} {language} on_change={on_source}
                on_run={run} link={(*editor).clone()} />
            <label class="stdin-label" for="playground-stdin">{ "Standard input" }</label>
            <textarea id="playground-stdin" class="stdin" data-testid="stdin" spellcheck="false"
                value={draft.stdin.clone()} oninput={on_stdin} />
            { result_view((*shown).as_ref(), *running) }
        </main>
    }
}

/// The end of a run that Stop ended: nothing to do unless Stop has not shown it yet (the
/// sandbox was stopped from elsewhere).
fn finish_stopped(
    stopped: &std::rc::Rc<std::cell::RefCell<u32>>,
    number: u32,
    running: &UseStateHandle<bool>,
    shown: &UseStateHandle<Option<Shown>>,
) {
    if *stopped.borrow() == number {
        return;
    }
    running.set(false);
    shown.set(Some(Shown {
        run: number,
        outcome: Outcome::Stopped,
    }));
}

/// The run's status line and its output.
fn result_view(shown: Option<&Shown>, running: bool) -> Html {
    let status = match shown {
        Some(Shown { run, outcome }) => {
            let (exit_code, time_ms, memory_kb) = match outcome {
                Outcome::Ran(report) => (
                    Some(report.exit_code.to_string()),
                    Some(format!("{:.1}", report.time_ms)),
                    report.memory_kb.map(|kb| kb.to_string()),
                ),
                Outcome::Failed(_) | Outcome::Stopped => (None, None, None),
            };
            let class = classes!(
                "run-status",
                outcome.data_status(),
                outcome.is_error().then_some("exit-error")
            );
            let role = if matches!(outcome, Outcome::Failed(_)) {
                "alert"
            } else {
                "status"
            };
            html! {
                <div class={class} data-testid="run-status" data-status={outcome.data_status()}
                    data-exit-code={exit_code} data-time-ms={time_ms} data-memory-kb={memory_kb}
                    data-run={run.to_string()} {role}>
                    { outcome.summary() }
                </div>
            }
        }
        None if running => html! {
            <p class="muted loading-line" role="status"><span class="spinner" aria-hidden="true"></span>{ "Running…" }</p>
        },
        None => html! {},
    };
    let (stdout, stderr) = match shown.map(|s| &s.outcome) {
        Some(Outcome::Ran(report)) => (report.stdout.clone(), report.stderr.clone()),
        _ => (String::new(), String::new()),
    };
    html! {
        <section class="run-output" aria-label="Output">
            { status }
            <h2>{ "Output" }</h2>
            <pre class="stdout" data-testid="stdout">{ stdout }</pre>
            <h2>{ "Errors" }</h2>
            <pre class="stderr" data-testid="stderr">{ stderr }</pre>
        </section>
    }
}
