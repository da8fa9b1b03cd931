// The code editor (CodeMirror 6), loaded by session.js only when a session has a code question, with
// the question's language loaded on its own after that: a session without code loads none of it.
import { EditorView, basicSetup } from "codemirror";
import { Compartment, EditorState } from "@codemirror/state";

const LANGUAGES = {
  python: () => import("@codemirror/lang-python").then((m) => m.python()),
  sql: () => import("@codemirror/lang-sql").then((m) => m.sql()),
  java: () => import("@codemirror/lang-java").then((m) => m.java()),
  cpp: () => import("@codemirror/lang-cpp").then((m) => m.cpp()),
  javascript: () => import("@codemirror/lang-javascript").then((m) => m.javascript()),
  go: () => import("@codemirror/lang-go").then((m) => m.go()),
  scala: () =>
    Promise.all([import("@codemirror/language"), import("@codemirror/legacy-modes/mode/clike")]).then(
      ([{ StreamLanguage }, { scala }]) => StreamLanguage.define(scala),
    ),
};

// Whether an editor takes typing: its own compartment, so setReadOnly can change it later (when the
// session closes) by reconfiguring the editor's state rather than patching its DOM.
const editability = new Compartment();
const editable = (readOnly) => [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)];

// An editor in `parent` holding `doc`; highlighting follows once the language has arrived (a failed
// download only costs the colours). `nonce` goes on the style element CodeMirror inserts, for the
// Content-Security-Policy.
export function codeEditor({ parent, doc, language, readOnly, onChange, onBlur, nonce }) {
  const highlighting = new Compartment();
  const editor = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        EditorView.cspNonce.of(nonce),
        highlighting.of([]),
        editability.of(editable(readOnly)),
        EditorView.updateListener.of((update) => update.docChanged && onChange()),
        EditorView.domEventHandlers({ blur: () => onBlur() }),
      ],
    }),
  });
  LANGUAGES[language]?.()
    .then((extension) => editor.dispatch({ effects: highlighting.reconfigure(extension) }))
    .catch(() => {});
  return editor;
}

// Stop (or allow) changes to the editor's text by the user: no typing, pasting or dropping.
export function setReadOnly(editor, readOnly) {
  editor.dispatch({ effects: editability.reconfigure(editable(readOnly)) });
}
