//! The studio's commands and its keyboard map, as one table: each command with its keys, its
//! menu entry and its help text. The menus and the keyboard both read [`KEYMAP`], so a key
//! shown in a menu is the key that works, and the Getting started window lists them all.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::Studio;
use super::file_actions::Then;
use super::templates::NewGraph;

/// Something the user can ask for from a menu or the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Command {
    New,
    Open,
    Save,
    SaveAs,
    Export,
    Compare,
    Quit,
    Find,
    Undo,
    Redo,
    Cut,
    Copy,
    Paste,
    Duplicate,
    MakeFunction,
    Delete,
    SelectAll,
    Comment,
    ToggleBreakpoint,
    FrameAll,
    Zoom100,
    ZoomIn,
    ZoomOut,
    GettingStarted,
    About,
}

/// When a key works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reach {
    /// Always, even while a text field has the keyboard (file commands, Find).
    Anywhere,
    /// Only on the canvas: not while a text field, a dialog or the add menu has the keyboard.
    Canvas,
}

/// One row of the keyboard map.
#[derive(Debug)]
pub(super) struct Binding {
    /// The command.
    pub command: Command,
    /// Its keys, tried in order (the first that was pressed runs it).
    pub keys: &'static [(Modifiers, Key)],
    /// The keys as the menu and the help show them ("" when it has none of its own).
    pub shortcut: &'static str,
    /// Its menu entry's words.
    pub label: &'static str,
    /// What it does, for the Getting started window.
    pub help: &'static str,
    /// When its keys work.
    pub reach: Reach,
}

const CMD: Modifiers = Modifiers::COMMAND;
const SHIFT_CMD: Modifiers = Modifiers {
    shift: true,
    ..Modifiers::COMMAND
};
const NONE: Modifiers = Modifiers::NONE;

/// Every command, in the order their keys are tried: a key with Shift before the same key
/// without (egui matches Ctrl+S on Ctrl+Shift+S too), the file commands first.
pub(super) const KEYMAP: &[Binding] = &[
    Binding {
        command: Command::SaveAs,
        keys: &[(SHIFT_CMD, Key::S)],
        shortcut: "Ctrl+Shift+S",
        label: "Save as…",
        help: "saves the graph to a file you choose",
        reach: Reach::Anywhere,
    },
    Binding {
        command: Command::Save,
        keys: &[(CMD, Key::S)],
        shortcut: "Ctrl+S",
        label: "Save",
        help: "saves the graph to its file",
        reach: Reach::Anywhere,
    },
    Binding {
        command: Command::Open,
        keys: &[(CMD, Key::O)],
        shortcut: "Ctrl+O",
        label: "Open…",
        help: "opens a graph file",
        reach: Reach::Anywhere,
    },
    Binding {
        command: Command::New,
        keys: &[(CMD, Key::N)],
        shortcut: "Ctrl+N",
        label: "New",
        help: "a new AI from the Melee rusher template (File > New has the others)",
        reach: Reach::Anywhere,
    },
    Binding {
        command: Command::Export,
        keys: &[(CMD, Key::E)],
        shortcut: "Ctrl+E",
        label: "Export mod…",
        help: "writes a mod folder the game loads",
        reach: Reach::Anywhere,
    },
    Binding {
        command: Command::Compare,
        keys: &[],
        shortcut: "",
        label: "Compare with…",
        help: "shows what your edits changed in what the AI does, turn by turn, and marks the nodes that now behave differently",
        reach: Reach::Anywhere,
    },
    Binding {
        command: Command::Find,
        keys: &[(CMD, Key::F)],
        shortcut: "Ctrl+F",
        label: "Find…",
        help: "finds nodes, variables, functions and comments by their words",
        reach: Reach::Anywhere,
    },
    Binding {
        command: Command::Redo,
        keys: &[(SHIFT_CMD, Key::Z), (CMD, Key::Y)],
        shortcut: "Ctrl+Shift+Z",
        label: "Redo",
        help: "redoes what was undone",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::Undo,
        keys: &[(CMD, Key::Z)],
        shortcut: "Ctrl+Z",
        label: "Undo",
        help: "undoes the last edit",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::Cut,
        keys: &[],
        shortcut: "Ctrl+X",
        label: "Cut",
        help: "cuts the selected nodes",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::Copy,
        keys: &[],
        shortcut: "Ctrl+C",
        label: "Copy",
        help: "copies the selected nodes (paste them in this graph or another)",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::Paste,
        keys: &[],
        shortcut: "Ctrl+V",
        label: "Paste",
        help: "pastes nodes under the pointer",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::Duplicate,
        keys: &[(CMD, Key::D)],
        shortcut: "Ctrl+D",
        label: "Duplicate",
        help: "copies the selected nodes beside themselves",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::MakeFunction,
        keys: &[(CMD, Key::G)],
        shortcut: "Ctrl+G",
        label: "Make function",
        help: "makes the selected nodes a function and puts a call of it in their place",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::SelectAll,
        keys: &[(CMD, Key::A)],
        shortcut: "Ctrl+A",
        label: "Select all",
        help: "selects every node on the canvas",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::Delete,
        keys: &[(NONE, Key::Delete), (NONE, Key::Backspace)],
        shortcut: "Del",
        label: "Delete",
        help: "deletes the selected nodes",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::ToggleBreakpoint,
        keys: &[(NONE, Key::F9)],
        shortcut: "F9",
        label: "Breakpoint",
        help: "pauses the previewed turn before each selected node (again: off)",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::FrameAll,
        keys: &[(NONE, Key::F)],
        shortcut: "F",
        label: "Frame all",
        help: "brings every node into view",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::Comment,
        keys: &[(NONE, Key::C)],
        shortcut: "C",
        label: "Comment around selection",
        help: "puts a comment frame around the selected nodes",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::ZoomIn,
        keys: &[(NONE, Key::Plus), (NONE, Key::Equals)],
        shortcut: "+",
        label: "Zoom in",
        help: "zooms in (the wheel zooms about the pointer)",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::ZoomOut,
        keys: &[(NONE, Key::Minus)],
        shortcut: "-",
        label: "Zoom out",
        help: "zooms out",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::Zoom100,
        keys: &[],
        shortcut: "",
        label: "Zoom 100%",
        help: "shows the nodes at their own size",
        reach: Reach::Canvas,
    },
    Binding {
        command: Command::Quit,
        keys: &[],
        shortcut: "",
        label: "Quit",
        help: "closes the studio (asking about unsaved changes)",
        reach: Reach::Anywhere,
    },
    Binding {
        command: Command::GettingStarted,
        keys: &[],
        shortcut: "",
        label: "Getting started",
        help: "how to build an AI, and these keys",
        reach: Reach::Anywhere,
    },
    Binding {
        command: Command::About,
        keys: &[],
        shortcut: "",
        label: "About Creator Studio",
        help: "versions, contracts and the game's caps",
        reach: Reach::Anywhere,
    },
];

/// The row of `command`.
pub(super) fn binding(command: Command) -> &'static Binding {
    KEYMAP
        .iter()
        .find(|b| b.command == command)
        .unwrap_or(&KEYMAP[0])
}

/// A command's menu entry: its words, then its keys ("Save  Ctrl+S").
pub(super) fn menu_label(command: Command) -> String {
    let b = binding(command);
    if b.shortcut.is_empty() {
        b.label.to_owned()
    } else {
        format!("{}  {}", b.label, b.shortcut)
    }
}

impl Studio {
    /// Runs `command`.
    pub(super) fn run_command(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::New => self.guarded(Then::New(NewGraph::Ai(0))),
            Command::Open => self.guarded(Then::PickOpen),
            Command::Save => {
                self.save();
            }
            Command::SaveAs => self.save_as(),
            Command::Export => self.open_export(),
            Command::Compare => self.open_compare(),
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Command::Find => self.find.open(),
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::Cut => self.copy(ctx, true),
            Command::Copy => self.copy(ctx, false),
            Command::Paste => {
                if let Some(text) = self.clipboard.clone() {
                    self.paste(&text, None);
                }
            }
            Command::Duplicate => self.duplicate(),
            Command::MakeFunction => self.make_function(),
            Command::Delete => self.delete_selection(),
            Command::SelectAll => self.select_all(),
            Command::Comment => self.add_comment(),
            Command::ToggleBreakpoint => self.toggle_breakpoints(),
            Command::FrameAll => self.canvas.frame_all(),
            Command::Zoom100 => self.canvas.zoom_to(1.0),
            Command::ZoomIn => {
                let z = self.canvas.zoom();
                self.canvas.zoom_to(z * 1.25);
            }
            Command::ZoomOut => {
                let z = self.canvas.zoom();
                self.canvas.zoom_to(z / 1.25);
            }
            Command::GettingStarted => self.dialogs.help = true,
            Command::About => self.dialogs.about = true,
        }
    }

    /// The keyboard, once a frame: every key of [`KEYMAP`] that was pressed runs its command
    /// (canvas keys only while the canvas has the keyboard), then the clipboard's events.
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        let pressed = |(m, k): (Modifiers, Key)| {
            ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(m, k)))
        };
        for reach in [Reach::Anywhere, Reach::Canvas] {
            if reach == Reach::Canvas
                && (ctx.egui_wants_keyboard_input() || self.modal_open() || self.add_menu.is_some())
            {
                return;
            }
            for b in KEYMAP.iter().filter(|b| b.reach == reach) {
                if b.keys.iter().any(|k| pressed(*k)) {
                    self.run_command(ctx, b.command);
                }
            }
        }
        let events: Vec<egui::Event> = ctx.input(|i| i.events.clone());
        for e in events {
            match e {
                egui::Event::Copy => self.copy(ctx, false),
                egui::Event::Cut => self.copy(ctx, true),
                egui::Event::Paste(text) => {
                    let at = ctx.pointer_hover_pos().map(|p| self.canvas.canvas_at(p));
                    self.paste(&text, at);
                }
                _ => {}
            }
        }
    }
}
