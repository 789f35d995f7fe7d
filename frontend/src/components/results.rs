//! The results of a run or a submission: a summary with the submission's verdict and any
//! submission-level error (a compile error with its line), then one element per test with
//! `data-testid="result"` and `data-verdict`, showing the input, the expected and returned
//! values, what the test printed, its error and its time.

use polyrun_core::Language;
use polyrun_core::report::{ErrorInfo, GradeReport, TestReport};
use polyrun_core::verdict::Verdict;
use serde_json::Value;
use yew::prelude::*;

use crate::state::{Outcome, RunKind, RunState};

/// Properties of [`Results`].
#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    /// The run in progress or the last one's outcome.
    pub run: RunState,
    /// How many runs have finished: each outcome is drawn as new elements, not as changes
    /// to the previous one's (a run fast enough never shows "running" in between).
    pub finished_runs: u64,
    /// How many examples a run's report starts with.
    pub examples: usize,
    /// Parameter names (snake_case).
    pub params: Vec<String>,
}

/// The results panel.
#[component]
pub fn Results(props: &ResultsProps) -> Html {
    let body = match &props.run {
        RunState::Idle => html! {
            <p class="muted">{ "Press Run (Ctrl+Enter) to check your code against the examples and your own tests." }</p>
        },
        RunState::Running(kind) => html! {
            <p class="running" data-testid="run-progress">
                <span class="spinner" aria-hidden="true"></span>
                { match kind { RunKind::Run => "Running your code…", RunKind::Submit => "Grading on the server…" } }
            </p>
        },
        RunState::Finished(Outcome::Failed { message, .. }) => html! {
            <div class="alert error" data-testid="run-error" role="alert">{ message.clone() }</div>
        },
        RunState::Finished(Outcome::Graded { kind, report }) => view_report(props, *kind, report),
        RunState::Finished(Outcome::Stopped { kind }) => html! {
            <div class="alert stopped" data-testid="run-stopped" data-kind={match kind { RunKind::Run => "run", RunKind::Submit => "submit" }} role="status">
                { match kind {
                    RunKind::Run => "Stopped: you stopped the run before it finished, so it has no verdict. Run again when you are ready.",
                    RunKind::Submit => "Stopped waiting for the grader: this submission has no verdict here (the grader may still grade it).",
                } }
            </div>
        },
    };
    html! {
        <section class="panel results" aria-labelledby="results-title" aria-live="polite">
            <div class="panel-head"><h2 id="results-title">{ "Results" }</h2></div>
            <div class="results-body" key={props.finished_runs.to_string()}>{ body }</div>
        </section>
    }
}

fn view_report(props: &ResultsProps, kind: RunKind, report: &GradeReport) -> Html {
    let verdict = report.verdict;
    let what = match kind {
        RunKind::Run => "tests passed",
        RunKind::Submit => "tests passed on the grader",
    };
    // Measured by the grader only: what the memory limit bounds.
    let memory = crate::units::memory_note(report.memory_kb);
    html! {
        <>
            <div class={classes!("summary", verdict_class(verdict))} data-testid="run-summary" data-verdict={verdict.id()}
                data-memory-kb={report.memory_kb.map(|kb| kb.to_string())}>
                <span class="verdict-label">{ verdict.label() }</span>
                <span class="muted">{ format!("{} / {} {what} · {}{memory}", report.passed, report.total, format_ms(report.time_ms)) }</span>
            </div>
            if let Some(error) = &report.error {
                <div class="alert error submission-error" data-testid="submission-error" role="alert">
                    <strong>{ format!("{}: ", verdict.label()) }</strong>
                    { error_text(error) }
                </div>
            }
            <ol class="result-list">
                { for report.tests.iter().enumerate().map(|(i, t)| view_test(props, kind, report.language, i, t)) }
            </ol>
        </>
    }
}

fn view_test(props: &ResultsProps, kind: RunKind, language: Language, position: usize, test: &TestReport) -> Html {
    let verdict = test.verdict;
    let title = match kind {
        RunKind::Run if position < props.examples => format!("Example {}", position + 1),
        RunKind::Run => format!("Your test {}", position + 1 - props.examples),
        RunKind::Submit if test.hidden => format!("Hidden test {}", test.index + 1),
        RunKind::Submit => format!("Test {}", test.index + 1),
    };
    let head = html! {
        <>
            <span class={classes!("badge", verdict_class(verdict))}>{ verdict.label() }</span>
            <span class="result-title">{ title }</span>
            if let Some(name) = test.detail.as_ref().and_then(|d| d.name.clone()) {
                <span class="result-name muted">{ name }</span>
            }
            if verdict != Verdict::Skipped {
                <span class="result-time muted">{ format_ms(test.time_ms) }</span>
            }
        </>
    };
    let Some(detail) = &test.detail else {
        return html! {
            <li class={classes!("result", "hidden-test", verdict_class(verdict))}
                data-testid="result" data-verdict={verdict.id()} data-index={test.index.to_string()}>
                <div class="result-head">{ head }</div>
            </li>
        };
    };
    let input = props
        .params
        .iter()
        .zip(&detail.args)
        .map(|(name, value)| format!("{} = {}", language.identifier(name), json_text(value)))
        .collect::<Vec<_>>()
        .join(", ");
    let open = !matches!(verdict, Verdict::Accepted | Verdict::Skipped);
    html! {
        <li class={classes!("result", verdict_class(verdict))}
            data-testid="result" data-verdict={verdict.id()} data-index={test.index.to_string()}>
            <details {open}>
                <summary class="result-head">{ head }</summary>
                <dl class="result-body">
                    <dt>{ "Input" }</dt>
                    <dd><code class="value">{ input }</code></dd>
                    <dt>{ "Expected" }</dt>
                    <dd>{ match &detail.expected {
                        Some(v) => html! { <code class="value" data-testid="expected">{ json_text(v) }</code> },
                        None => html! { <span class="muted">{ "any value (no expected value given)" }</span> },
                    } }</dd>
                    if let Some(actual) = &detail.actual {
                        <dt>{ "Returned" }</dt>
                        <dd><code class="value" data-testid="actual">{ json_text(actual) }</code></dd>
                    } else if let Some(bytes) = detail.actual_omitted_bytes {
                        <dt>{ "Returned" }</dt>
                        <dd><span class="muted" data-testid="actual-omitted">
                            { format!("a value of {} KiB of JSON, too large to show (it was judged whole)", bytes.div_ceil(1024)) }
                        </span></dd>
                    }
                    if let Some(error) = &detail.error {
                        <dt>{ "Error" }</dt>
                        <dd class="error-text" data-testid="error">{ error_text(error) }</dd>
                    }
                    if !detail.stdout.is_empty() {
                        <dt>{ "stdout" }</dt>
                        <dd><pre class="output" data-testid="stdout">{ detail.stdout.clone() }</pre></dd>
                    }
                    if !detail.stderr.is_empty() {
                        <dt>{ "stderr" }</dt>
                        <dd><pre class="output stderr" data-testid="stderr">{ detail.stderr.clone() }</pre></dd>
                    }
                </dl>
            </details>
        </li>
    }
}

/// `ZeroDivisionError: division by zero (line 3)`.
pub fn error_text(error: &ErrorInfo) -> String {
    let mut text = if error.message.is_empty() {
        error.kind.clone()
    } else {
        format!("{}: {}", error.kind, error.message)
    };
    if let Some(line) = error.line {
        text.push_str(&format!(" (line {line})"));
    }
    text
}

/// The CSS class of a verdict.
pub fn verdict_class(verdict: Verdict) -> String {
    format!("verdict-{}", verdict.id())
}

/// A value as compact JSON, shortened past a few thousand characters.
fn json_text(value: &Value) -> String {
    json_preview(value, 4000)
}

/// A value as compact JSON, cut at `max` bytes (on a character boundary) with a mark.
pub fn json_preview(value: &Value, max: usize) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} characters in all)", &text[..end], text.len())
}

/// `0.25 ms`, `41.7 ms`, `2.10 s`.
fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.2} ms")
    }
}
