//! Keyboard shortcuts: which key presses the app acts on, and the list the "Keyboard
//! shortcuts" dialog shows (`?` or the footer's button opens it).
//!
//! `Mod` is Ctrl, or ⌘ on Apple systems: both work everywhere (Ctrl+Enter runs on a Mac too).

/// A key press, as the browser reports it (`KeyboardEvent.key` and its modifiers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Press<'a> {
    /// `KeyboardEvent.key`: `"Enter"`, `"?"`, `"/"`…
    pub key: &'a str,
    /// Ctrl held.
    pub ctrl: bool,
    /// ⌘ (Meta) held.
    pub meta: bool,
    /// Shift held.
    pub shift: bool,
    /// Alt (Option) held.
    pub alt: bool,
}

/// What a key press asks the app to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Run the code against the examples and the own tests (Ctrl/⌘+Enter).
    Run,
    /// Grade the code on the grader (Ctrl/⌘+Shift+Enter).
    Submit,
    /// Open the keyboard shortcuts dialog (`?`).
    ShowShortcuts,
    /// Move the focus to the problem search (`/`).
    FocusSearch,
}

impl Press<'_> {
    /// The command of a press. `typing` is whether the focus is in a text field, a select or
    /// the editor: there `?` and `/` are text, and only the Mod shortcuts count.
    pub fn command(&self, typing: bool) -> Option<Command> {
        let modded = self.ctrl || self.meta;
        match self.key {
            "Enter" if modded && !self.alt => Some(if self.shift { Command::Submit } else { Command::Run }),
            "?" if !typing && !modded && !self.alt => Some(Command::ShowShortcuts),
            "/" if !typing && !modded && !self.alt && !self.shift => Some(Command::FocusSearch),
            _ => None,
        }
    }
}

/// One line of the shortcuts list: the keys (each a key or a chord such as `Mod+Enter`)
/// and what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortcut {
    /// Alternatives, each a chord of keys joined by `+` (`Mod` = Ctrl or ⌘).
    pub keys: &'static [&'static str],
    /// What it does.
    pub what: &'static str,
}

/// A titled group of shortcuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// The group's heading.
    pub title: &'static str,
    /// Its shortcuts.
    pub shortcuts: &'static [Shortcut],
}

const fn shortcut(keys: &'static [&'static str], what: &'static str) -> Shortcut {
    Shortcut { keys, what }
}

/// Every shortcut the app and its editor know, as the dialog lists them.
pub const GROUPS: &[Group] = &[
    Group {
        title: "Anywhere",
        shortcuts: &[
            shortcut(&["?"], "Show these shortcuts"),
            shortcut(&["/"], "Search the problems (problem list)"),
            shortcut(&["Esc"], "Close this dialog"),
        ],
    },
    Group {
        title: "Problem page",
        shortcuts: &[
            shortcut(&["Mod+Enter"], "Run the examples and your own tests"),
            shortcut(&["Mod+Shift+Enter"], "Submit to the grader (hidden tests too)"),
        ],
    },
    Group {
        title: "In the editor",
        shortcuts: &[
            shortcut(&["Tab", "Shift+Tab"], "Indent, unindent"),
            shortcut(&["Esc Tab"], "Leave the editor (Esc, then Tab)"),
            shortcut(&["Mod+Z", "Mod+Shift+Z"], "Undo, redo"),
            shortcut(&["Mod+/"], "Comment or uncomment the lines"),
            shortcut(&["Mod+F"], "Find and replace"),
            shortcut(&["Ctrl+Space"], "Complete the word"),
            shortcut(&["Alt+↑", "Alt+↓"], "Move the line up, down"),
        ],
    },
];

/// The keys of a chord as shown: `Mod` becomes `⌘` on Apple systems, `Ctrl` elsewhere.
/// `"Mod+Shift+Enter"` → `["Ctrl", "Shift", "Enter"]`; `"Esc Tab"` → `["Esc", "Tab"]`.
pub fn key_caps(chord: &str, apple: bool) -> Vec<&str> {
    chord
        .split(['+', ' '])
        .filter(|k| !k.is_empty())
        .map(|k| match k {
            "Mod" if apple => "⌘",
            "Mod" => "Ctrl",
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(key: &str) -> Press<'_> {
        Press {
            key,
            ..Press::default()
        }
    }

    #[test]
    fn mod_enter_runs_and_mod_shift_enter_submits_even_while_typing() {
        for typing in [false, true] {
            let ctrl = Press {
                ctrl: true,
                ..press("Enter")
            };
            let meta = Press {
                meta: true,
                ..press("Enter")
            };
            assert_eq!(ctrl.command(typing), Some(Command::Run));
            assert_eq!(meta.command(typing), Some(Command::Run));
            assert_eq!(Press { shift: true, ..ctrl }.command(typing), Some(Command::Submit));
            assert_eq!(Press { shift: true, ..meta }.command(typing), Some(Command::Submit));
            assert_eq!(Press { alt: true, ..ctrl }.command(typing), None);
        }
        assert_eq!(press("Enter").command(false), None);
        assert_eq!(
            Press {
                shift: true,
                ..press("Enter")
            }
            .command(false),
            None
        );
    }

    #[test]
    fn question_mark_and_slash_act_only_outside_text() {
        assert_eq!(
            Press {
                shift: true,
                ..press("?")
            }
            .command(false),
            Some(Command::ShowShortcuts)
        );
        assert_eq!(press("/").command(false), Some(Command::FocusSearch));
        assert_eq!(
            Press {
                shift: true,
                ..press("?")
            }
            .command(true),
            None
        );
        assert_eq!(press("/").command(true), None);
        assert_eq!(
            Press {
                ctrl: true,
                ..press("/")
            }
            .command(false),
            None,
            "Ctrl+/ is the editor's comment"
        );
        assert_eq!(press("a").command(false), None);
    }

    #[test]
    fn key_caps_name_the_platforms_modifier() {
        assert_eq!(key_caps("Mod+Shift+Enter", false), ["Ctrl", "Shift", "Enter"]);
        assert_eq!(key_caps("Mod+Enter", true), ["⌘", "Enter"]);
        assert_eq!(key_caps("Esc Tab", false), ["Esc", "Tab"]);
        assert_eq!(key_caps("Alt+↑", true), ["Alt", "↑"]);
    }
}
