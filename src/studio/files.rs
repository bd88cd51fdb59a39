//! Where the studio keeps its own files (recent files, the last project, the autosave), and the
//! file pickers: the system's native dialog through rfd on a background thread, or an in-app
//! path prompt where no native dialog is available (a bare X server, no desktop portal).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use aether_base::fsutil::write_atomic;

/// How many recent files the File menu lists.
const RECENT: usize = 8;

/// The studio's own folder: `$CREATOR_STUDIO_HOME`, else the platform's configuration folder
/// for the studio as the `directories` crate finds it (`$XDG_CONFIG_HOME/creator-studio` or
/// `~/.config/creator-studio` on Linux, `%APPDATA%\creator-studio\config` on Windows,
/// `~/Library/Application Support/creator-studio` on macOS), else a folder in the temporary
/// directory.
pub fn default_home() -> PathBuf {
    if let Some(h) = std::env::var_os("CREATOR_STUDIO_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    directories::ProjectDirs::from("", "", "creator-studio")
        .map(|p| p.config_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("creator-studio"))
}

/// The user's documents folder (`~/Documents` or what the desktop calls it), else their home
/// folder: where a file dialog starts before the user has picked a folder.
pub fn documents_folder() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    dirs.document_dir()
        .filter(|d| d.is_dir())
        .map(Path::to_path_buf)
        .or_else(|| Some(dirs.home_dir().to_path_buf()))
}

/// Recent files and the last project, kept in `session.json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    /// Most recent first.
    pub recent: Vec<PathBuf>,
}

impl Session {
    /// Reads `home/session.json`; a missing or unreadable file is an empty session.
    pub fn load(home: &Path) -> Session {
        let Ok(text) = aether_base::fsutil::read_text_bounded(
            &home.join("session.json"),
            aether_base::fsutil::MAX_DOCUMENT_BYTES,
        ) else {
            return Session::default();
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
            return Session::default();
        };
        let recent = value
            .get("recent")
            .and_then(|r| r.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.as_str().map(PathBuf::from))
                    .collect()
            })
            .unwrap_or_default();
        Session { recent }
    }

    /// Writes `home/session.json` (atomically).
    pub fn save(&self, home: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(home)?;
        let recent: Vec<String> = self
            .recent
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let text = serde_json::json!({ "recent": recent }).to_string();
        write_atomic(&home.join("session.json"), text.as_bytes())
    }

    /// Puts `path` first in the recent list.
    pub fn opened(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(RECENT);
    }

    /// The project to open at start-up: the most recent file that still exists.
    pub fn last_project(&self) -> Option<&Path> {
        self.recent
            .iter()
            .map(PathBuf::as_path)
            .find(|p| p.is_file())
    }
}

/// The autosave: the graph as file text, plus which file it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Autosave {
    /// The graph file text.
    pub text: String,
    /// The document's file, if it had one.
    pub original: Option<PathBuf>,
    /// When it was written (seconds since the Unix epoch).
    pub written: u64,
}

/// The autosave file of the studio folder `home`.
pub fn autosave_path(home: &Path) -> PathBuf {
    home.join("autosave.mcgraph.json")
}

fn autosave_meta(home: &Path) -> PathBuf {
    home.join("autosave.json")
}

impl Autosave {
    /// Writes the autosave (graph text, then its note), atomically.
    pub fn write(&self, home: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(home)?;
        write_atomic(&autosave_path(home), self.text.as_bytes())?;
        let meta = serde_json::json!({
            "original": self.original.as_ref().map(|p| p.display().to_string()),
            "written": self.written,
        });
        write_atomic(&autosave_meta(home), meta.to_string().as_bytes())
    }

    /// The autosave a session that did not close cleanly left behind, if any.
    pub fn find(home: &Path) -> Option<Autosave> {
        let text = aether_base::fsutil::read_text_bounded(
            &autosave_path(home),
            aether_base::fsutil::MAX_DOCUMENT_BYTES,
        )
        .ok()?;
        let meta: serde_json::Value = aether_base::fsutil::read_text_bounded(
            &autosave_meta(home),
            aether_base::fsutil::MAX_DOCUMENT_BYTES,
        )
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
        Some(Autosave {
            text,
            original: meta
                .get("original")
                .and_then(|o| o.as_str())
                .map(PathBuf::from),
            written: meta.get("written").and_then(|w| w.as_u64()).unwrap_or(0),
        })
    }

    /// Deletes the autosave (a clean exit, or the user declined to recover it).
    pub fn discard(home: &Path) {
        let _ = std::fs::remove_file(autosave_path(home));
        let _ = std::fs::remove_file(autosave_meta(home));
    }
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What a file picker is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Open a graph.
    OpenGraph,
    /// Save the graph under a new name.
    SaveGraph,
    /// Open a state or scenario file for the preview.
    OpenState,
    /// Choose the folder to export a mod to.
    ExportFolder,
    /// Open a world setup (`*.mcworld.json`).
    OpenSetup,
    /// Save the world preview's setup.
    SaveSetup,
    /// Add a script to the world preview: a graph, a module or a mod folder.
    AddWorldScript,
    /// Choose the duel lab's opponent: a graph, a module or a mod folder.
    ChooseOpponent,
    /// Choose who plays a slot when the preview steps (by slot).
    ChoosePreviewOpponent(u8),
    /// Add an entrant to the duel lab's tournament.
    AddEntrant,
    /// Open a replay (`*.mcreplay`).
    OpenReplay,
    /// Save the shown duel as a replay.
    SaveReplay,
    /// Save the graph's functions to a library file.
    SaveFunctions,
    /// Add the functions of a library file (any graph file).
    LoadFunctions,
    /// A graph file to compare the open graph with.
    CompareWith,
}

impl Purpose {
    fn title(self) -> &'static str {
        match self {
            Purpose::OpenGraph => "Open graph",
            Purpose::SaveGraph => "Save graph as",
            Purpose::OpenState => "Open state",
            Purpose::ExportFolder => "Export mod to folder",
            Purpose::OpenSetup => "Open world setup",
            Purpose::SaveSetup => "Save world setup as",
            Purpose::AddWorldScript => "Add a script to the world",
            Purpose::ChooseOpponent | Purpose::ChoosePreviewOpponent(_) => "Choose an opponent",
            Purpose::AddEntrant => "Add an AI to the tournament",
            Purpose::OpenReplay => "Open replay",
            Purpose::SaveReplay => "Save replay as",
            Purpose::SaveFunctions => "Save functions to a library",
            Purpose::LoadFunctions => "Add functions from a library",
            Purpose::CompareWith => "Compare with a graph",
        }
    }

    fn extension(self) -> Option<&'static str> {
        match self {
            Purpose::OpenGraph | Purpose::SaveGraph | Purpose::CompareWith => Some(".mcgraph.json"),
            Purpose::OpenState => Some(".json"),
            Purpose::OpenSetup | Purpose::SaveSetup => Some(".mcworld.json"),
            Purpose::OpenReplay | Purpose::SaveReplay => Some(".mcreplay"),
            Purpose::SaveFunctions | Purpose::LoadFunctions => Some(".json"),
            Purpose::ExportFolder
            | Purpose::AddWorldScript
            | Purpose::ChooseOpponent
            | Purpose::ChoosePreviewOpponent(_)
            | Purpose::AddEntrant => None,
        }
    }
}

/// The in-app path prompt.
#[derive(Debug)]
pub struct PathPrompt {
    /// What for.
    pub purpose: Purpose,
    /// The path being typed.
    pub text: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    focused: bool,
}

/// What the pickers produced.
#[derive(Debug, PartialEq)]
pub enum Picked {
    /// A path was chosen.
    Path(Purpose, PathBuf),
    /// The picker was closed without a choice.
    Cancelled,
}

/// The file pickers.
#[derive(Debug)]
pub struct Pickers {
    /// Whether to try the native dialog first.
    pub native: bool,
    pending: Option<(Purpose, PathBuf, Instant, Receiver<Option<PathBuf>>)>,
    /// The in-app prompt, when open.
    pub prompt: Option<PathPrompt>,
}

impl Pickers {
    /// Pickers that try the native dialog first when `native` is set (see
    /// [`native_available`](Self::native_available)), else ask in the window.
    pub fn new(native: bool) -> Self {
        Self {
            native,
            pending: None,
            prompt: None,
        }
    }

    /// Whether native dialogs are likely to work here: a D-Bus session bus is there (the desktop
    /// portal rfd uses) and `CREATOR_STUDIO_NATIVE_DIALOGS` is not `0`.
    pub fn native_available() -> bool {
        std::env::var("CREATOR_STUDIO_NATIVE_DIALOGS").map_or(true, |v| v != "0")
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
    }

    /// Whether a picker is open.
    pub fn busy(&self) -> bool {
        self.pending.is_some() || self.prompt.is_some()
    }

    /// Opens a picker for `purpose`, starting in `dir` with `suggested` as the file name.
    pub fn open(&mut self, purpose: Purpose, dir: &Path, suggested: &str) {
        if self.busy() {
            return;
        }
        if self.native {
            let (tx, rx) = channel();
            let d = dir.to_path_buf();
            let name = suggested.to_owned();
            let spawned = std::thread::Builder::new()
                .name("file-dialog".into())
                .spawn(move || {
                    let mut dialog = rfd::FileDialog::new()
                        .set_title(purpose.title())
                        .set_directory(&d);
                    if let Some(ext) = purpose.extension() {
                        let bare = ext
                            .trim_start_matches('.')
                            .rsplit('.')
                            .next()
                            .unwrap_or("json");
                        dialog = dialog.add_filter(purpose.title(), &[bare]);
                    }
                    let picked = match purpose {
                        Purpose::OpenGraph
                        | Purpose::OpenState
                        | Purpose::OpenSetup
                        | Purpose::AddWorldScript
                        | Purpose::ChooseOpponent
                        | Purpose::ChoosePreviewOpponent(_)
                        | Purpose::AddEntrant
                        | Purpose::LoadFunctions
                        | Purpose::CompareWith
                        | Purpose::OpenReplay => dialog.pick_file(),
                        Purpose::SaveGraph
                        | Purpose::SaveSetup
                        | Purpose::SaveReplay
                        | Purpose::SaveFunctions => dialog.set_file_name(&name).save_file(),
                        Purpose::ExportFolder => dialog.pick_folder(),
                    };
                    let _ = tx.send(picked);
                });
            if spawned.is_ok() {
                self.pending = Some((purpose, dir.join(suggested), Instant::now(), rx));
                return;
            }
        }
        self.open_prompt(purpose, &dir.join(suggested));
    }

    fn open_prompt(&mut self, purpose: Purpose, start: &Path) {
        self.prompt = Some(PathPrompt {
            purpose,
            text: start.display().to_string(),
            error: None,
            focused: false,
        });
    }

    /// Shows the prompt if open, and collects a native dialog's answer.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Picked> {
        if let Some((purpose, start, since, rx)) = &self.pending {
            match rx.try_recv() {
                Ok(Some(path)) => {
                    let purpose = *purpose;
                    self.pending = None;
                    return Some(Picked::Path(purpose, path));
                }
                // Closed at once: there is no native dialog here; ask in the app instead.
                Ok(None) | Err(TryRecvError::Disconnected)
                    if since.elapsed() < Duration::from_millis(300) =>
                {
                    let (purpose, start) = (*purpose, start.clone());
                    self.pending = None;
                    self.native = false;
                    self.open_prompt(purpose, &start);
                }
                Ok(None) | Err(TryRecvError::Disconnected) => {
                    self.pending = None;
                    return Some(Picked::Cancelled);
                }
                Err(TryRecvError::Empty) => {
                    ctx.request_repaint_after(Duration::from_millis(100));
                }
            }
        }
        let prompt = self.prompt.as_mut()?;
        let mut result = None;
        egui::Modal::new(egui::Id::new("path-prompt")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading(prompt.purpose.title());
            let label = ui.label(match prompt.purpose {
                Purpose::ExportFolder => "Type the folder to write the mod to:",
                Purpose::SaveGraph
                | Purpose::SaveSetup
                | Purpose::SaveReplay
                | Purpose::SaveFunctions => "Type the file to save to:",
                Purpose::ChooseOpponent | Purpose::ChoosePreviewOpponent(_) | Purpose::AddEntrant => {
                    "Type the path of an AI graph, a .wasm or .wat module, or a mod folder:"
                }
                Purpose::AddWorldScript => {
                    "Type the path of a world-script graph, a .wasm or .wat module, or a mod folder:"
                }
                _ => "Type the path of the file:",
            });
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut prompt.text)
                        .id_salt("path-prompt-text")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if !prompt.focused {
                edit.request_focus();
                prompt.focused = true;
            }
            // Files in the folder typed so far, to click instead of typing.
            let typed = PathBuf::from(&prompt.text);
            let dir = if typed.is_dir() {
                typed.clone()
            } else {
                typed.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            if let Ok(entries) = std::fs::read_dir(&dir) {
                let mut names: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        let name = p
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        !name.starts_with('.')
                            && (p.is_dir()
                                || prompt
                                    .purpose
                                    .extension()
                                    .is_some_and(|x| name.ends_with(x)))
                    })
                    .collect();
                names.sort();
                // A fixed height, so the dialog does not jump as the listing changes.
                egui::ScrollArea::vertical()
                    .max_height(160.0)
                    .min_scrolled_height(160.0)
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        for p in names.iter().take(200) {
                            let name = p
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default();
                            let shown = if p.is_dir() {
                                format!("📁 {name}/")
                            } else {
                                name
                            };
                            if ui.selectable_label(false, shown).clicked() {
                                prompt.text = p.display().to_string();
                            }
                        }
                    });
            }
            if let Some(e) = &prompt.error {
                ui.colored_label(egui::Color32::from_rgb(255, 110, 110), aether_base::text::escape_output(e).as_ref());
            }
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                if ui.button("OK").clicked() || enter {
                    let path = PathBuf::from(prompt.text.trim());
                    let problem = match prompt.purpose {
                        Purpose::OpenGraph
                        | Purpose::OpenState
                        | Purpose::OpenSetup
                        | Purpose::OpenReplay
                        | Purpose::LoadFunctions
                            if !path.is_file() =>
                        {
                            Some(format!("{}: no such file", path.display()))
                        }
                        Purpose::AddWorldScript
                        | Purpose::ChooseOpponent
                        | Purpose::ChoosePreviewOpponent(_)
                        | Purpose::AddEntrant
                            if !path.exists() =>
                        {
                            Some(format!("{}: no such file or folder", path.display()))
                        }
                        Purpose::SaveGraph
                        | Purpose::SaveSetup
                        | Purpose::SaveReplay
                        | Purpose::SaveFunctions
                            if path.is_dir() =>
                        {
                            Some(format!("{} is a folder; type a file name", path.display()))
                        }
                        Purpose::SaveGraph
                        | Purpose::SaveSetup
                        | Purpose::SaveReplay
                        | Purpose::SaveFunctions
                            if !path
                                .parent()
                                .is_some_and(|d| d.as_os_str().is_empty() || d.is_dir()) =>
                        {
                            Some("That folder does not exist.".to_owned())
                        }
                        _ if prompt.text.trim().is_empty() => Some("Type a path first.".to_owned()),
                        _ => None,
                    };
                    match problem {
                        Some(p) => prompt.error = Some(p),
                        None => result = Some(Picked::Path(prompt.purpose, path)),
                    }
                }
                if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    result = Some(Picked::Cancelled);
                }
            });
        });
        if result.is_some() {
            self.prompt = None;
        }
        result
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn session_and_autosave_round_trip() {
        let home = std::env::temp_dir().join(format!("cs-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        assert_eq!(Session::load(&home), Session::default());
        let mut s = Session::default();
        s.opened(Path::new("/nonexistent/a.mcgraph.json"));
        s.opened(Path::new("/nonexistent/b.mcgraph.json"));
        s.opened(Path::new("/nonexistent/a.mcgraph.json"));
        s.save(&home).unwrap();
        let back = Session::load(&home);
        assert_eq!(back.recent.len(), 2);
        assert!(back.recent[0].ends_with("a.mcgraph.json"));
        assert_eq!(back.last_project(), None, "neither file exists");

        assert_eq!(Autosave::find(&home), None);
        let a = Autosave {
            text: "{}".into(),
            original: Some(PathBuf::from("/x/y.mcgraph.json")),
            written: 42,
        };
        a.write(&home).unwrap();
        assert_eq!(Autosave::find(&home), Some(a));
        Autosave::discard(&home);
        assert_eq!(Autosave::find(&home), None);
        let _ = std::fs::remove_dir_all(&home);
    }
}
