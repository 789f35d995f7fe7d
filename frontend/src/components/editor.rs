//! The code editor: the CodeMirror bundle's `window.polyrunEditor` when the page has it,
//! a plain `<textarea>` otherwise. Either way the element carries `data-testid="editor"`,
//! and Ctrl/Cmd+Enter runs the code.
//!
//! The bundle's API: `polyrunEditor.create(parent, {doc, language, onChange, onRun})`
//! returns a view with `setDoc(text)`, `getDoc()`, `setLanguage(id)`, `focus()` and
//! `destroy()`; `onChange(text)` is called on every edit, `onRun()` on Ctrl/Cmd+Enter.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use polyrun_core::Language;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `window.polyrunEditor`.
    type EditorFactory;

    #[wasm_bindgen(method, catch)]
    fn create(this: &EditorFactory, parent: &HtmlElement, options: &Object) -> Result<EditorView, JsValue>;

    /// An editor made by the factory.
    type EditorView;

    #[wasm_bindgen(method, js_name = setDoc)]
    fn set_doc(this: &EditorView, doc: &str);

    #[wasm_bindgen(method, js_name = getDoc)]
    fn get_doc(this: &EditorView) -> String;

    #[wasm_bindgen(method, js_name = setLanguage)]
    fn set_language(this: &EditorView, language: &str);

    #[wasm_bindgen(method)]
    fn destroy(this: &EditorView);
}

/// The bundle's factory, when the page loaded it.
fn factory() -> Option<EditorFactory> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("polyrunEditor")).ok()?;
    value.is_object().then(|| value.unchecked_into::<EditorFactory>())
}

/// A live CodeMirror editor and the closures it calls.
struct Live {
    view: EditorView,
    _on_change: Closure<dyn FnMut(JsValue)>,
    _on_run: Closure<dyn FnMut()>,
}

/// What the editor shows, as the page sees it.
enum Mounted {
    Rich(Live),
    Plain(HtmlTextAreaElement),
}

/// A link to the editor's element, so that the page can read the text the editor really
/// holds when it runs the code (a test or an extension may have set it without an edit
/// event: CodeMirror's `setDoc` does not report a change).
#[derive(Clone, Default)]
pub struct EditorLink(Rc<RefCell<Option<Mounted>>>);

impl EditorLink {
    /// The editor's text, when it is mounted.
    pub fn text(&self) -> Option<String> {
        match &*self.0.borrow() {
            Some(Mounted::Rich(live)) => Some(live.view.get_doc()),
            Some(Mounted::Plain(area)) => Some(area.value()),
            None => None,
        }
    }
}

impl PartialEq for EditorLink {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Properties of [`Editor`].
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The text to show (the editor is updated when it differs from what it holds).
    pub doc: AttrValue,
    /// The language, for highlighting.
    pub language: Language,
    /// Called with the whole text after each edit.
    pub on_change: Callback<String>,
    /// Called on Ctrl/Cmd+Enter.
    pub on_run: Callback<()>,
    /// Lets the page read the editor's text.
    #[prop_or_default]
    pub link: EditorLink,
}

/// Whether a key event is Ctrl+Enter or Cmd+Enter (with Shift it is Submit's).
pub fn is_run_shortcut(e: &KeyboardEvent) -> bool {
    crate::components::shortcuts::command_of(e, true) == Some(crate::shortcuts::Command::Run)
}

/// The code editor.
#[component]
pub fn Editor(props: &EditorProps) -> Html {
    let host = use_node_ref();
    let area_ref = use_node_ref();
    let live = props.link.0.clone();
    // Whether to use CodeMirror: decided once, and dropped if creating it fails.
    let rich = use_state(|| factory().is_some());
    // The latest callbacks, for the closures handed to JavaScript.
    let callbacks = use_mut_ref(|| (props.on_change.clone(), props.on_run.clone()));
    *callbacks.borrow_mut() = (props.on_change.clone(), props.on_run.clone());

    {
        let host = host.clone();
        let live = live.clone();
        let callbacks = callbacks.clone();
        let rich = rich.clone();
        let doc = props.doc.clone();
        let language = props.language;
        let area_ref = area_ref.clone();
        use_effect_with(*rich, move |rich_now| {
            if *rich_now {
                mount(&host, &live, &callbacks, &doc, language, &rich);
            } else if let Some(area) = area_ref.cast::<HtmlTextAreaElement>() {
                *live.borrow_mut() = Some(Mounted::Plain(area));
            }
            move || {
                if let Some(Mounted::Rich(live)) = live.borrow_mut().take() {
                    live.view.destroy();
                }
            }
        });
    }
    {
        let live = live.clone();
        use_effect_with(props.language, move |language| {
            if let Some(Mounted::Rich(live)) = &*live.borrow() {
                live.view.set_language(language.id());
            }
        });
    }
    {
        let live = live.clone();
        use_effect_with(props.doc.clone(), move |doc| {
            if let Some(Mounted::Rich(live)) = &*live.borrow()
                && live.view.get_doc() != doc.as_str()
            {
                live.view.set_doc(doc);
            }
        });
    }

    if *rich {
        return html! {
            <div class="editor" data-testid="editor" data-editor="codemirror" data-language={props.language.id()} ref={host}></div>
        };
    }

    let oninput = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_change.emit(area.value());
        })
    };
    let onkeydown = {
        let on_run = props.on_run.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |e: KeyboardEvent| {
            if is_run_shortcut(&e) {
                e.prevent_default();
                on_run.emit(());
            } else if e.key() == "Tab" && !e.shift_key() && !e.ctrl_key() && !e.meta_key() && !e.alt_key() {
                // Indent instead of leaving the editor.
                e.prevent_default();
                let area: HtmlTextAreaElement = e.target_unchecked_into();
                let indent = "    ";
                let value = area.value();
                let start = area.selection_start().ok().flatten().unwrap_or(0) as usize;
                let end = area.selection_end().ok().flatten().unwrap_or(0) as usize;
                // Selection offsets are in UTF-16 code units.
                let utf16: Vec<u16> = value.encode_utf16().collect();
                let (start, end) = (start.min(utf16.len()), end.min(utf16.len()).max(start.min(utf16.len())));
                let mut next = String::from_utf16_lossy(&utf16[..start]);
                next.push_str(indent);
                next.push_str(&String::from_utf16_lossy(&utf16[end..]));
                area.set_value(&next);
                let caret = (start + indent.len()) as u32;
                let _ = area.set_selection_range(caret, caret);
                on_change.emit(next);
            }
        })
    };
    html! {
        <textarea class="editor editor-fallback" data-testid="editor" data-editor="textarea"
            data-language={props.language.id()}
            aria-label="Code editor" spellcheck="false" autocapitalize="off" autocomplete="off"
            wrap="off" value={props.doc.clone()} ref={area_ref} {oninput} {onkeydown} />
    }
}

/// Creates the CodeMirror editor inside `host`; on failure, falls back to the textarea.
fn mount(
    host: &NodeRef,
    live: &Rc<RefCell<Option<Mounted>>>,
    callbacks: &Rc<RefCell<(Callback<String>, Callback<()>)>>,
    doc: &str,
    language: Language,
    rich: &UseStateHandle<bool>,
) {
    let (Some(factory), Some(parent)) = (factory(), host.cast::<HtmlElement>()) else {
        rich.set(false);
        return;
    };
    let on_change = {
        let callbacks = callbacks.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |text: JsValue| {
            if let Some(text) = text.as_string() {
                let callback = callbacks.borrow().0.clone();
                callback.emit(text);
            }
        })
    };
    let on_run = {
        let callbacks = callbacks.clone();
        Closure::<dyn FnMut()>::new(move || {
            let callback = callbacks.borrow().1.clone();
            callback.emit(());
        })
    };
    let options = Object::new();
    let set = |key: &str, value: &JsValue| {
        let _ = Reflect::set(&options, &JsValue::from_str(key), value);
    };
    set("doc", &JsValue::from_str(doc));
    set("language", &JsValue::from_str(language.id()));
    set("onChange", on_change.as_ref());
    set("onRun", on_run.as_ref());
    match factory.create(&parent, &options) {
        Ok(view) => {
            *live.borrow_mut() = Some(Mounted::Rich(Live {
                view,
                _on_change: on_change,
                _on_run: on_run,
            }));
        }
        Err(error) => {
            web_sys::console::warn_2(&JsValue::from_str("polyrun: the code editor failed to start:"), &error);
            rich.set(false);
        }
    }
}
