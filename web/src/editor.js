// polyrun's code editor: CodeMirror 6 behind a tiny global API for the Yew app.
//
//   const editor = window.polyrunEditor.create(parentElement, {
//     doc: "def f():\n    pass\n",   // initial text
//     language: "python",           // "python" | "ruby" | "javascript"
//     onChange: (doc) => {},        // after every change made by the user (not by setDoc)
//     onRun: () => {},              // Ctrl+Enter / Cmd+Enter
//     readOnly: false,
//     contentAttributes: {},        // extra attributes of the editable element
//   });
//   editor.getDoc() -> string        editor.setDoc(text)      editor.setLanguage(language)
//   editor.focus()                   editor.setReadOnly(bool) editor.destroy()
//
// See web/README.md for the wasm-bindgen declarations.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  foldKeymap,
  indentOnInput,
  indentUnit,
  StreamLanguage,
  syntaxHighlighting,
} from "@codemirror/language";
import { ruby } from "@codemirror/legacy-modes/mode/ruby";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";

const rubyLanguage = StreamLanguage.define(ruby);

/** The language support and indent unit of a language id. */
function languageExtensions(language) {
  switch (String(language).toLowerCase()) {
    case "ruby":
    case "rb":
      return [rubyLanguage, indentUnit.of("  ")];
    case "javascript":
    case "js":
      return [javascript(), indentUnit.of("  ")];
    case "python":
    case "py":
    default:
      return [python(), indentUnit.of("    ")];
  }
}

const baseTheme = EditorView.theme({
  "&": { height: "100%", fontSize: "14px" },
  ".cm-scroller": {
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
    lineHeight: "1.5",
  },
  "&.cm-focused": { outline: "none" },
});

/** Only string-valued attributes (for the editable element, e.g. a data-testid). */
function stringAttributes(attributes) {
  const out = {};
  if (attributes && typeof attributes === "object") {
    for (const [key, value] of Object.entries(attributes)) {
      if (typeof value === "string") out[key] = value;
    }
  }
  return out;
}

function create(parent, options = {}) {
  if (!(parent instanceof Element)) throw new TypeError("polyrunEditor.create: parent must be an element");
  const onChange = typeof options.onChange === "function" ? options.onChange : null;
  const onRun = typeof options.onRun === "function" ? options.onRun : null;
  const language = new Compartment();
  const readOnly = new Compartment();
  let applying = false; // setDoc in progress: no onChange

  const runKeymap = Prec.highest(
    keymap.of([
      {
        key: "Mod-Enter",
        preventDefault: true,
        run: () => {
          if (onRun) onRun();
          return true;
        },
      },
    ]),
  );

  const state = EditorState.create({
    doc: typeof options.doc === "string" ? options.doc : "",
    extensions: [
      runKeymap,
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      foldGutter(),
      drawSelection(),
      dropCursor(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      bracketMatching(),
      closeBrackets(),
      autocompletion({ activateOnTyping: false }),
      rectangularSelection(),
      crosshairCursor(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      keymap.of([
        ...closeBracketsKeymap,
        ...defaultKeymap,
        ...searchKeymap,
        ...historyKeymap,
        ...foldKeymap,
        ...completionKeymap,
        indentWithTab,
      ]),
      EditorState.tabSize.of(4),
      baseTheme,
      language.of(languageExtensions(options.language)),
      readOnly.of(EditorState.readOnly.of(Boolean(options.readOnly))),
      EditorView.contentAttributes.of({
        "aria-label": "code editor",
        spellcheck: "false",
        autocorrect: "off",
        autocapitalize: "off",
        ...stringAttributes(options.contentAttributes),
      }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged && onChange && !applying) onChange(update.state.doc.toString());
      }),
    ],
  });
  const view = new EditorView({ state, parent });

  const handle = {
    /** The current text. */
    getDoc: () => view.state.doc.toString(),
    /** Replaces the whole text (cursor at the start; onChange is not called). */
    setDoc(text) {
      const doc = typeof text === "string" ? text : String(text ?? "");
      if (doc === view.state.doc.toString()) return;
      applying = true;
      try {
        view.dispatch({
          changes: { from: 0, to: view.state.doc.length, insert: doc },
          selection: { anchor: 0 },
        });
      } finally {
        applying = false;
      }
    },
    /** Switches highlighting and indentation: "python", "ruby" or "javascript". */
    setLanguage(lang) {
      view.dispatch({ effects: language.reconfigure(languageExtensions(lang)) });
    },
    /** Makes the editor read-only or editable. */
    setReadOnly(flag) {
      view.dispatch({ effects: readOnly.reconfigure(EditorState.readOnly.of(Boolean(flag))) });
    },
    /** Moves the keyboard focus into the editor. */
    focus: () => view.focus(),
    /** Removes the editor from the page. */
    destroy() {
      if (parent.polyrunEditor === handle) delete parent.polyrunEditor;
      view.destroy();
    },
    /** The CodeMirror view, for tests and debugging. */
    view,
  };
  // Tests and debugging reach the editor through its parent element.
  parent.polyrunEditor = handle;
  return handle;
}

window.polyrunEditor = Object.freeze({ create, version: 1 });
