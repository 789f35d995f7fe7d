//! A problem page (`#/problems/<id>`): the statement and examples, the editor with a
//! language switcher, Run (Ctrl/Cmd+Enter) and Submit (Ctrl/Cmd+Shift+Enter), the
//! learner's own tests, and the results. Runs go through the browser sandbox and core's
//! `Grading`, exactly as the grader grades. Share links (`#/problems/<id>?share=…`,
//! `crate::share`) fill the page and run nothing; the learner's draft and tests stay in
//! storage and can be brought back.

use std::rc::Rc;

use polyrun_core::Language;
use polyrun_core::problem::PublicProblem;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use crate::components::editor::{Editor, EditorLink, is_run_shortcut};
use crate::components::language_select::LanguageSelect;
use crate::components::markdown::Markdown;
use crate::components::my_submissions::MySubmissions;
use crate::components::problem_list::difficulty_badge;
use crate::components::results::Results;
use crate::components::runtime_status::RuntimeStatus;
use crate::components::share_bar::{ShareBar, use_shared_link};
use crate::components::shortcuts::command_of;
use crate::components::test_case_editor::TestCaseEditor;
use crate::hints::Hints;
use crate::hooks::{Load, use_account, use_autosave, use_grader, use_problem, use_sandbox};
use crate::pages::not_found::NotFound;
use crate::pages::welcome::set_title;
use crate::sandbox::{SandboxError, grade_in_browser};
use crate::services::{grader, storage};
use crate::share::{Share, ShareError, Shared};
use crate::state::{Action, Outcome, ProblemState, RunKind, RunState};

/// Properties of [`ProblemPage`].
#[derive(Properties, PartialEq)]
pub struct ProblemPageProps {
    /// The problem's id.
    pub id: AttrValue,
}

/// A problem page: loads the problem, then shows the workspace.
#[component]
pub fn ProblemPage(props: &ProblemPageProps) -> Html {
    let (load, retry) = use_problem(props.id.clone());
    match load {
        Load::Loading => html! {
            <main class="page"><p class="muted loading-line"><span class="spinner" aria-hidden="true"></span>{ "Loading the problem…" }</p></main>
        },
        Load::NotFound => html! {
            <NotFound what={AttrValue::from(format!("There is no problem called “{}”.", props.id))} />
        },
        Load::Failed(message) => {
            let onclick = Callback::from(move |_: MouseEvent| retry.emit(()));
            html! {
                <main class="page">
                    <div class="alert error" role="alert">
                        { format!("Could not load the problem: {message}. ") }
                        <button type="button" class="button small" {onclick}>{ "Retry" }</button>
                    </div>
                </main>
            }
        }
        Load::Ready(problem) => {
            let key = problem.id.clone();
            let store = AttrValue::from(problem.id.clone());
            html! { <Workspace {key} {problem} {store} submit_to={SubmitTo::Site} /> }
        }
    }
}

/// Where Submit grades.
#[derive(Clone, PartialEq)]
pub enum SubmitTo {
    /// The site's grader (the page's `polyrun-grader`), with the signed-in person's token.
    Site,
    /// A problem pack's grader, when the pack names one (no token is ever sent there).
    Pack {
        /// The pack's `grader` URL.
        grader: Option<String>,
    },
}

/// Properties of [`Workspace`].
#[derive(Properties, PartialEq)]
pub struct WorkspaceProps {
    /// The problem.
    pub problem: Rc<PublicProblem>,
    /// The key its drafts, own tests and solved mark are kept under (the id for a
    /// built-in problem, `crate::packs::problem_store_key` for a pack's).
    pub store: AttrValue,
    /// Where Submit grades.
    pub submit_to: SubmitTo,
}

/// The workspace of a loaded problem: statement, editor, Run, Submit, own tests, results.
#[component]
pub fn Workspace(props: &WorkspaceProps) -> Html {
    let problem = props.problem.clone();
    let store = props.store.clone();
    let site_grader = use_grader();
    let grader_url = Rc::new(match &props.submit_to {
        SubmitTo::Site => site_grader,
        SubmitTo::Pack { grader } => grader.as_ref().map(|g| g.trim_end_matches('/').to_owned()),
    });
    let state = {
        let problem = problem.clone();
        let store = store.clone();
        let has_grader = grader_url.is_some();
        use_reducer(move || {
            ProblemState::new(
                &problem,
                storage::last_language().unwrap_or(Language::Python),
                |l| storage::load_draft(&store, l),
                storage::load_tests(&store),
                storage::solved().contains(store.as_str()),
            )
            .with_grader(has_grader)
        })
    };
    let sandbox = use_sandbox();
    let account = use_account();
    // Only the site's grader gets the signed-in person's token (and lists their submissions).
    let signed = props.submit_to == SubmitTo::Site;
    // The token every call to the grader carries, when someone is signed in.
    let token = account.token().filter(|_| signed).map(str::to_owned);
    let user = account.session.as_ref().filter(|_| signed).map(|s| s.name.clone());
    // Set while a run is in flight, so a second Ctrl+Enter does not start another.
    let busy = use_mut_ref(|| false);
    // Counts runs (and submissions) started, so that a late "running" indicator knows its
    // run is over.
    let started_runs = use_mut_ref(|| 0u64);
    // The number of the run the learner stopped last (Stop): its outcome, when it comes,
    // is dropped.
    let stopped_run = use_mut_ref(|| 0u64);
    let editor = use_memo((), |_| EditorLink::default());
    let language = state.language;

    {
        let title = problem.meta.title.clone();
        use_effect_with(title, |title| set_title(&format!("{title} — polyrun")));
    }
    // Runtimes load lazily: the one shown is asked for as soon as it is shown.
    {
        let sandbox = sandbox.clone();
        use_effect_with(language, move |language| {
            sandbox.0.load(*language);
            storage::save_language(*language);
        });
    }
    // A share link's code and tests, unedited, are not the learner's: not saved.
    use_autosave(
        store.clone(),
        language,
        (!state.is_starter(language)).then(|| state.current_code().to_owned()),
        state.shows_shared_code(),
    );
    {
        let id = store.clone();
        use_effect_with(
            (state.saved_tests(), state.shows_shared_tests()),
            move |(tests, shared)| {
                if !shared {
                    storage::save_tests(&id, tests);
                }
            },
        );
    }
    {
        let state = state.clone();
        let editor = editor.clone();
        let id = problem.id.clone();
        use_shared_link(Callback::from(move |opened: Result<Share, ShareError>| {
            let action = match opened {
                Ok(Share {
                    language,
                    code,
                    shared: Shared::Problem { id: for_id, tests },
                }) if for_id == id => {
                    // What the editor holds is the learner's code to keep.
                    sync_code(&state, &editor);
                    Action::OpenShare { language, code, tests }
                }
                Ok(Share {
                    shared: Shared::Problem { id: other, .. },
                    ..
                }) => Action::ShareFailed(format!("This share link is for the problem “{other}”, not this one.")),
                Ok(_) => Action::ShareFailed("This share link is for the playground, not a problem.".into()),
                Err(e) => Action::ShareFailed(e.to_string()),
            };
            state.dispatch(action);
        }));
    }
    let make_share = {
        let state = state.clone();
        let editor = editor.clone();
        let id = problem.id.clone();
        Callback::from(move |()| Share {
            language: state.language,
            code: sync_code(&state, &editor),
            shared: Shared::Problem {
                id: id.clone(),
                tests: state.saved_tests(),
            },
        })
    };
    {
        let id = store.clone();
        use_effect_with(state.solved, move |solved| {
            if *solved {
                storage::mark_solved(&id);
            } else {
                storage::unmark_solved(&id);
            }
        });
    }

    let run = {
        let state = state.clone();
        let sandbox = sandbox.clone();
        let problem = problem.clone();
        let busy = busy.clone();
        let started_runs = started_runs.clone();
        let stopped_run = stopped_run.clone();
        let editor = editor.clone();
        Callback::from(move |()| {
            if *busy.borrow() {
                return;
            }
            let language = state.language;
            let source = sync_code(&state, &editor);
            let tests = match state.tests_to_run(&problem.tests) {
                Ok(tests) => tests,
                Err(reason) => {
                    state.dispatch(Action::RunBlocked(reason));
                    return;
                }
            };
            *busy.borrow_mut() = true;
            let this_run = {
                let mut started = started_runs.borrow_mut();
                *started += 1;
                *started
            };
            let dispatcher = state.dispatcher();
            let sandbox = sandbox.clone();
            let problem = problem.to_problem();
            let busy = busy.clone();
            // "Running…" shows only once a run has taken RUNNING_SHOWN_AFTER_MS: a run that
            // is quicker goes straight to its results, with no flash in between, and the
            // page does not redraw while the sandbox works (the drawing would compete with it
            // for the CPU).
            {
                let busy = busy.clone();
                let started_runs = started_runs.clone();
                let dispatcher = state.dispatcher();
                after_ms(RUNNING_SHOWN_AFTER_MS, move || {
                    if *busy.borrow() && *started_runs.borrow() == this_run {
                        dispatcher.dispatch(Action::RunStarted(RunKind::Run));
                    }
                });
            }
            let stopped_run = stopped_run.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let stopped = || *stopped_run.borrow() == this_run;
                let graded = grade_in_browser(&sandbox.0, &problem, language, &source, tests, stopped).await;
                if stopped() {
                    // Stop has shown the outcome and freed the page already.
                    return;
                }
                let outcome = match graded {
                    Ok(report) => Outcome::Graded {
                        kind: RunKind::Run,
                        report,
                    },
                    Err(SandboxError::Stopped) => Outcome::Stopped { kind: RunKind::Run },
                    Err(e) => Outcome::Failed {
                        kind: RunKind::Run,
                        message: format!("Could not run your code: {e}"),
                    },
                };
                *busy.borrow_mut() = false;
                dispatcher.dispatch(Action::RunFinished(outcome));
            });
        })
    };

    // "Your submissions": fetched when someone signs in, and again after each graded Submit.
    let refresh_submissions = use_state(|| 0u32);
    {
        let dispatcher = state.dispatcher();
        let grader_url = (*grader_url).clone();
        let problem_id = problem.id.clone();
        // Only the latest request's answer counts.
        let generation = use_mut_ref(|| 0u64);
        use_effect_with(
            (token.clone(), user, state.submissions_version, *refresh_submissions),
            move |(token, user, _, _)| {
                let current = {
                    let mut g = generation.borrow_mut();
                    *g += 1;
                    *g
                };
                match (grader_url, token.clone(), user.clone()) {
                    (Some(base), Some(token), Some(user)) => {
                        dispatcher.dispatch(Action::SubmissionsLoading);
                        wasm_bindgen_futures::spawn_local(async move {
                            let action =
                                match grader::submissions(&base, &token, &user, &problem_id, SUBMISSIONS_SHOWN).await {
                                    Ok(page) => Action::SubmissionsLoaded(page.submissions),
                                    Err(e) => Action::SubmissionsFailed(e.to_string()),
                                };
                            if *generation.borrow() == current {
                                dispatcher.dispatch(action);
                            }
                        });
                    }
                    _ => dispatcher.dispatch(Action::SubmissionsOff),
                }
            },
        );
    }
    let open_submission = {
        let state = state.clone();
        let editor = editor.clone();
        let grader_url = grader_url.clone();
        let token = token.clone();
        Callback::from(move |id: String| {
            let (Some(base), Some(token)) = ((*grader_url).clone(), token.clone()) else {
                return;
            };
            // What the editor holds is the learner's code to keep.
            sync_code(&state, &editor);
            let dispatcher = state.dispatcher();
            wasm_bindgen_futures::spawn_local(async move {
                let action = match grader::submission(&base, &token, &id).await {
                    Ok(detail) => match detail.summary.language.parse::<Language>() {
                        Ok(language) => Action::OpenSubmission {
                            id,
                            language,
                            source: detail.source,
                        },
                        Err(_) => Action::OpenFailed(format!(
                            "That submission is in {}, which this app does not know.",
                            detail.summary.language
                        )),
                    },
                    Err(e) => Action::OpenFailed(format!("Could not open that submission: {e}")),
                };
                dispatcher.dispatch(action);
            });
        })
    };
    let restore_draft = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::RestoreDraft))
    };
    let on_refresh = {
        let refresh_submissions = refresh_submissions.clone();
        Callback::from(move |()| refresh_submissions.set(*refresh_submissions + 1))
    };

    let submit = {
        let state = state.clone();
        let problem_id = problem.id.clone();
        let busy = busy.clone();
        let started_runs = started_runs.clone();
        let stopped_run = stopped_run.clone();
        let grader_url = grader_url.clone();
        let editor = editor.clone();
        let token = token.clone();
        Callback::from(move |()| {
            let Some(base) = (*grader_url).clone() else {
                return;
            };
            if *busy.borrow() {
                return;
            }
            *busy.borrow_mut() = true;
            let this_run = {
                let mut started = started_runs.borrow_mut();
                *started += 1;
                *started
            };
            let language = state.language;
            let source = sync_code(&state, &editor);
            state.dispatch(Action::RunStarted(RunKind::Submit));
            let dispatcher = state.dispatcher();
            let problem_id = problem_id.clone();
            let busy = busy.clone();
            let stopped_run = stopped_run.clone();
            let token = token.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = grader::submit(&base, token.as_deref(), &problem_id, language, &source).await;
                if *stopped_run.borrow() == this_run {
                    return;
                }
                let outcome = match answer {
                    Ok(report) => Outcome::Graded {
                        kind: RunKind::Submit,
                        report,
                    },
                    Err(message) => Outcome::Failed {
                        kind: RunKind::Submit,
                        message,
                    },
                };
                *busy.borrow_mut() = false;
                dispatcher.dispatch(Action::RunFinished(outcome));
            });
        })
    };

    // Stop: the run's worker is terminated (a spare takes over, as after a time limit) and
    // the results say it was stopped; a submission's answer is no longer waited for.
    let stop_click = {
        let busy = busy.clone();
        let started_runs = started_runs.clone();
        let stopped_run = stopped_run.clone();
        let sandbox = sandbox.clone();
        let dispatcher = state.dispatcher();
        let kind = match state.run {
            RunState::Running(kind) => kind,
            _ => RunKind::Run,
        };
        Callback::from(move |_: MouseEvent| {
            if !*busy.borrow() {
                return;
            }
            *stopped_run.borrow_mut() = *started_runs.borrow();
            *busy.borrow_mut() = false;
            if kind == RunKind::Run {
                sandbox.0.stop();
            }
            dispatcher.dispatch(Action::RunFinished(Outcome::Stopped { kind }));
        })
    };

    let on_change = {
        let dispatcher = state.dispatcher();
        Callback::from(move |code: String| dispatcher.dispatch(Action::Edit { language, code }))
    };
    let on_language = {
        let dispatcher = state.dispatcher();
        Callback::from(move |l: Language| dispatcher.dispatch(Action::SetLanguage(l)))
    };
    let reset = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::ResetCode))
    };
    let run_click = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| run.emit(()))
    };
    let submit_click = {
        let submit = submit.clone();
        Callback::from(move |_: MouseEvent| submit.emit(()))
    };
    let onkeydown = {
        let run = run.clone();
        let submit = submit.clone();
        Callback::from(move |e: KeyboardEvent| {
            // The editor handles its own Run shortcut (and marks the event handled).
            if e.default_prevented() {
                return;
            }
            if is_run_shortcut(&e) {
                e.prevent_default();
                run.emit(());
            } else if command_of(&e, true) == Some(crate::shortcuts::Command::Submit) {
                e.prevent_default();
                submit.emit(());
            }
        })
    };
    let dispatch = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };

    let running = state.is_running();
    let meta = &problem.meta;
    let submit_title = match (&props.submit_to, grader_url.is_some()) {
        (_, true) => "Grade against every test, hidden ones included, on the grader (Ctrl+Shift+Enter)",
        (SubmitTo::Site, false) => "needs a grader",
        (SubmitTo::Pack { .. }, false) => {
            "This pack names no grader, so Submit is off: Run checks the examples and your own tests"
        }
    };
    let compare = match meta.compare {
        polyrun_core::CompareMode::Exact => "exact match".to_owned(),
        polyrun_core::CompareMode::Unordered => "any order".to_owned(),
        polyrun_core::CompareMode::Float => format!("numbers within {}", meta.tolerance),
    };

    html! {
        <main class="page problem-page" {onkeydown}>
            <header class="problem-header">
                <a class="back" href="#/">{ "← All problems" }</a>
                <div class="problem-title-row">
                    <h1>{ &meta.title }</h1>
                    { difficulty_badge(meta.difficulty) }
                    if state.solved {
                        <span class="badge solved-badge" data-testid="solved-badge"
                            title={if state.grader { "Accepted on the grader" } else { "Every example accepted" }}>{ "✓ Solved" }</span>
                    }
                </div>
                <div class="tags">{ for meta.tags.iter().map(|t| html! { <span class="tag static">{ t }</span> }) }</div>
            </header>
            <div class="split">
                // Scrolls on its own on a wide screen: focusable, so the keyboard can scroll it.
                <div class="column statement-column" tabindex="0" role="region" aria-label="Problem statement and examples">
                    <section class="panel statement" aria-label="Statement">
                        <Markdown source={AttrValue::from(crate::markdown::strip_title(&problem.statement).to_owned())} />
                    </section>
                    <section class="panel examples" aria-labelledby="examples-title">
                        <h2 id="examples-title">{ "Example tests" }</h2>
                        <p class="muted small">{ "Run checks your code against these, then your own test cases." }</p>
                        <ol class="example-list">
                            { for problem.tests.iter().enumerate().map(|(n, t)| {
                                let call = format!("{}({})", language.identifier(&meta.function),
                                    meta.params.iter().zip(&t.test.args)
                                        .map(|(p, v)| format!("{} = {}", language.identifier(p), short_json(v)))
                                        .collect::<Vec<_>>().join(", "));
                                html! {
                                    <li class="example" data-testid="example">
                                        <div class="example-title">{ format!("Example {}", n + 1) }
                                            if let Some(name) = &t.test.name { <span class="muted">{ format!(" · {name}") }</span> }
                                        </div>
                                        <code class="value">{ call }</code>
                                        if let Some(expected) = &t.test.expected {
                                            <div><span class="muted">{ "→ " }</span><code class="value">{ short_json(expected) }</code></div>
                                        }
                                    </li>
                                }
                            }) }
                        </ol>
                        <p class="muted small limits">
                            { format!("Time limit {} per test · memory {} MB · compared by {compare}",
                                format_limit(meta.time_limit_ms), meta.memory_limit_mb) }
                        </p>
                    </section>
                </div>
                <div class="column work-column">
                    <div class="toolbar">
                        <LanguageSelect {language} on_change={on_language} />
                        <RuntimeStatus {language} />
                    </div>
                    <Editor doc={AttrValue::from(state.current_code().to_owned())} {language} {on_change} on_run={run.clone()} link={(*editor).clone()} />
                    <div class="actions">
                        // aria-disabled, not disabled, while a run is in flight: a disabled
                        // button loses the keyboard focus (to <body>); the callbacks refuse a
                        // second run anyway.
                        <button type="button" class="button primary" data-testid="run-button"
                            title="Run the examples and your own tests (Ctrl+Enter)" aria-keyshortcuts="Control+Enter Meta+Enter"
                            aria-disabled={running.then_some("true")} onclick={run_click}>
                            { if matches!(state.run, RunState::Running(RunKind::Run)) { "Running…" } else { "Run" } }
                        </button>
                        if running {
                            <button type="button" class="button stop" data-testid="stop"
                                title="Stop the run: its worker is ended, and no verdict is given" onclick={stop_click}>
                                { "Stop" }
                            </button>
                        }
                        <span class="submit-wrap" title={submit_title}>
                            <button type="button" class="button" data-testid="submit-button" title={submit_title}
                                aria-keyshortcuts="Control+Shift+Enter Meta+Shift+Enter"
                                disabled={grader_url.is_none()} aria-disabled={running.then_some("true")} onclick={submit_click}>
                                { "Submit" }
                            </button>
                        </span>
                        <span class="muted small kbd-hint"><kbd>{ "Ctrl" }</kbd>{ " + " }<kbd>{ "Enter" }</kbd>{ " runs · " }<kbd>{ "?" }</kbd>{ " all shortcuts" }</span>
                        <span class="spacer"></span>
                        <button type="button" class="button ghost small" data-testid="reset-button"
                            title="Replace your code in this language with the starter code"
                            disabled={state.is_starter(language)} onclick={reset}>
                            { "Reset to starter code" }
                        </button>
                    </div>
                    if !signed && grader_url.is_none() {
                        <p class="muted small" data-testid="submit-off-reason">{ submit_title }</p>
                    }
                    <ShareBar share={make_share} />
                    if let Some(message) = &state.share_error {
                        <div class="alert error" role="alert" data-testid="share-error">{ message.clone() }</div>
                    }
                    if state.can_restore() {
                        <div class="alert restore" data-testid="draft-replaced">
                            { if state.shared.is_some() {
                                "The editor shows the code (and tests) of a share link; yours are kept. "
                            } else {
                                "The editor shows a submission's code; your own code is kept. "
                            } }
                            <button type="button" class="button small" data-testid="restore-draft-button" onclick={restore_draft}>
                                { "Bring back my code" }
                            </button>
                        </div>
                    }
                    if let Some(reason) = &state.run_blocked {
                        <div class="alert error" role="alert" data-testid="run-blocked">{ reason.clone() }</div>
                    }
                    <Results run={state.run.clone()} finished_runs={state.finished_runs} examples={state.examples} params={meta.params.clone()} />
                    if signed && grader_url.is_some() {
                        <MySubmissions listing={state.submissions.clone()} signed_in={token.is_some()}
                            opened={state.opened.as_ref().map(|(id, _, _)| id.clone())}
                            open_error={state.open_error.clone()}
                            on_open={open_submission} {on_refresh} />
                    }
                    <TestCaseEditor tests={state.tests.clone()} params={meta.params.clone()} {language} {dispatch}
                        hints={Hints::from_example(problem.tests.first().map(|t| &t.test))} />
                </div>
            </div>
        </main>
    }
}

/// The code to run: what the editor holds (recorded in the state when it differs, say
/// after a `setDoc` that reported no change), else the state's.
fn sync_code(state: &UseReducerHandle<ProblemState>, editor: &EditorLink) -> String {
    let code = state.current_code().to_owned();
    match editor.text() {
        Some(text) if text != code => {
            state.dispatch(Action::Edit {
                language: state.language,
                code: text.clone(),
            });
            text
        }
        _ => code,
    }
}

/// How many of the learner's submissions the page lists.
const SUBMISSIONS_SHOWN: u32 = 20;

/// How long a run goes before the page shows that it is running.
const RUNNING_SHOWN_AFTER_MS: i32 = 50;

/// Calls `f` once, `ms` milliseconds from now (never, if the page has no timers: what it
/// is used for is cosmetic).
fn after_ms(ms: i32, f: impl FnOnce() + 'static) {
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(wasm_bindgen::JsCast::unchecked_ref(&callback), ms);
    }
}

/// `2 s`, `1.5 s`, `500 ms`.
fn format_limit(ms: u64) -> String {
    if ms >= 1000 && ms.is_multiple_of(100) {
        let s = ms as f64 / 1000.0;
        format!("{s} s")
    } else {
        format!("{ms} ms")
    }
}

/// A value as compact JSON, shortened for the examples list.
fn short_json(value: &serde_json::Value) -> String {
    crate::components::results::json_preview(value, 300)
}
