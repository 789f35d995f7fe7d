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
// Ctrl/Cmd+Shift+Enter is left to the page (Submit): the editor does not handle it.
// Colours come from the page's CSS custom properties (light or dark theme, see baseTheme).
// See web/README.md for the wasm-bindgen declarations.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  HighlightStyle,
  indentOnInput,
  indentUnit,
  StreamLanguage,
  syntaxHighlighting,
} from "@codemirror/language";
import { ruby } from "@codemirror/legacy-modes/mode/ruby";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { tags as t } from "@lezer/highlight";
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

// The editor's colours are the page's CSS custom properties (frontend/style.css: --surface,
// --text, --cm-*), so the editor follows the page's light or dark theme with no code here;
// a fallback after each var() keeps it readable on a page without the stylesheet.
const baseTheme = EditorView.theme({
  "&": { height: "100%", fontSize: "14px", color: "var(--text, #1b1f24)", backgroundColor: "var(--surface, #fff)" },
  ".cm-scroller": {
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
    lineHeight: "1.5",
  },
  "&.cm-focused": { outline: "none" },
  ".cm-content": { caretColor: "var(--cm-cursor, #1b1f24)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--cm-cursor, #1b1f24)" },
  ".cm-gutters": {
    backgroundColor: "var(--cm-gutter, #f5f6f8)",
    color: "var(--cm-gutter-text, #5d6673)",
    borderRight: "1px solid var(--border, #dde1e7)",
  },
  ".cm-activeLine": { backgroundColor: "var(--cm-active-line, #f3f6fd)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--cm-active-line, #f3f6fd)", color: "var(--text, #1b1f24)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
    { backgroundColor: "var(--cm-selection, #d9e4fc) !important" },
  ".cm-selectionMatch, .cm-searchMatch": { backgroundColor: "var(--cm-match, #fff1b3)" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--cm-match, #fff1b3)", outline: "1px solid var(--border-strong, #c5cbd4)" },
  ".cm-foldPlaceholder": { backgroundColor: "var(--surface-2, #f0f2f5)", color: "var(--muted, #555e6b)", border: "none" },
  ".cm-tooltip, .cm-panels": {
    backgroundColor: "var(--surface-2, #f0f2f5)",
    color: "var(--text, #1b1f24)",
    border: "1px solid var(--border, #dde1e7)",
  },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": {
    backgroundColor: "var(--accent, #2f5bd3)",
    color: "var(--on-accent, #fff)",
  },
  ".cm-panels input, .cm-panels button": { color: "inherit" },
});

/** Syntax colours, from the page's theme (see baseTheme). */
const highlightStyle = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.moduleKeyword], color: "var(--cm-keyword, #8a22a0)" },
  { tag: [t.string, t.special(t.string), t.regexp, t.character], color: "var(--cm-string, #1f6b2c)" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--cm-number, #9a4a00)" },
  { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: "var(--cm-comment, #555e6b)", fontStyle: "italic" },
  { tag: [t.function(t.variableName), t.function(t.definition(t.variableName)), t.function(t.propertyName)], color: "var(--cm-function, #2148b0)" },
  { tag: [t.definition(t.variableName), t.definition(t.propertyName)], color: "var(--cm-function, #2148b0)" },
  { tag: [t.typeName, t.className, t.namespace, t.self, t.special(t.variableName)], color: "var(--cm-type, #0a6377)" },
  { tag: [t.meta, t.annotation, t.processingInstruction], color: "var(--cm-comment, #555e6b)" },
  { tag: t.invalid, color: "var(--cm-invalid, #b3222a)" },
  { tag: t.strong, fontWeight: "bold" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.link, textDecoration: "underline" },
]);

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
      syntaxHighlighting(highlightStyle),
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
        // In the tab order explicitly (as contenteditable already is): checkers such as axe
        // then see that the scrolling area around it can be reached by keyboard.
        tabindex: "0",
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
