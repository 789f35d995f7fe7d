//! The learner's own test cases: one JSON input per parameter and an optional expected
//! value, each checked as it is typed with the error shown under the box.

use polyrun_core::Language;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::hints::Hints;
use crate::state::{Action, CustomTest};

/// Properties of [`TestCaseEditor`].
#[derive(Properties, PartialEq)]
pub struct TestCaseEditorProps {
    /// The learner's tests.
    pub tests: Vec<CustomTest>,
    /// Parameter names (snake_case).
    pub params: Vec<String>,
    /// The language, to show parameter names as the code sees them.
    pub language: Language,
    /// What each argument's box shows while empty: the first example's argument
    /// (`e.g. [2, 7, 11, 15]`), so that the form each value takes is clear.
    #[prop_or_default]
    pub hints: Hints,
    /// The page's reducer.
    pub dispatch: Callback<Action>,
}

/// The list of own tests with add, edit and delete.
#[component]
pub fn TestCaseEditor(props: &TestCaseEditorProps) -> Html {
    let add = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::AddTest))
    };
    html! {
        <section class="panel own-tests" aria-labelledby="own-tests-title">
            <div class="panel-head">
                <h2 id="own-tests-title">{ "Your test cases" }</h2>
                <button type="button" class="button small" data-testid="add-test-button" onclick={add}>
                    { "+ Add test" }
                </button>
            </div>
            if props.tests.is_empty() {
                <p class="muted">
                    { "Run checks the examples. Add your own cases to try other inputs: arguments are JSON, \
                       one box per parameter; leave the expected value empty to just see what your code returns." }
                </p>
            }
            <ol class="test-cases">
                { for props.tests.iter().enumerate().map(|(n, test)| view_test(props, n, test)) }
            </ol>
        </section>
    }
}

fn view_test(props: &TestCaseEditorProps, n: usize, test: &CustomTest) -> Html {
    let id = test.id;
    let delete = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::DeleteTest(id)))
    };
    let args = props.params.iter().enumerate().map(|(param, name)| {
        let dispatch = props.dispatch.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            dispatch.emit(Action::EditArg {
                id,
                param,
                text: input.value(),
            });
        });
        let value = test.args.get(param).cloned().unwrap_or_default();
        json_field(
            &format!("test-{id}-arg-{param}"),
            &props.language.identifier(name),
            value,
            test.arg_error(param),
            props.hints.arg(param),
            oninput,
            Some(param),
        )
    });
    let expected = {
        let dispatch = props.dispatch.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            dispatch.emit(Action::EditExpected {
                id,
                text: input.value(),
            });
        });
        json_field(
            &format!("test-{id}-expected"),
            "expected (optional)",
            test.expected.clone(),
            test.expected_error(),
            "empty: any value passes".to_owned(),
            oninput,
            None,
        )
    };
    html! {
        <li class="test-case" key={id} data-testid="custom-test">
            <div class="test-case-head">
                <span class="test-case-title">{ format!("Your test {}", n + 1) }</span>
                <button type="button" class="button small ghost" data-testid="delete-test-button"
                    aria-label={format!("Delete your test {}", n + 1)} onclick={delete}>{ "Delete" }</button>
            </div>
            { for args }
            { expected }
        </li>
    }
}

fn json_field(
    dom_id: &str,
    label: &str,
    value: String,
    error: Option<String>,
    placeholder: String,
    oninput: Callback<InputEvent>,
    param: Option<usize>,
) -> Html {
    let error_id = format!("{dom_id}-error");
    let invalid = error.is_some();
    html! {
        <div class={classes!("field", invalid.then_some("invalid"))}>
            <label for={dom_id.to_owned()} class="mono">{ label }</label>
            <input id={dom_id.to_owned()} type="text" class="mono" spellcheck="false" autocomplete="off"
                data-testid={if param.is_some() { "test-arg-input" } else { "test-expected-input" }}
                data-param={param.map(|p| p.to_string())}
                aria-invalid={invalid.to_string()}
                aria-describedby={invalid.then(|| error_id.clone())}
                {placeholder} {value} {oninput} />
            if let Some(error) = error {
                <p class="field-error" id={error_id} data-testid="json-error">{ error }</p>
            }
        </div>
    }
}
