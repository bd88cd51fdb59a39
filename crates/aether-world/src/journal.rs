//! What a world script really did, written down as it ran, and played back through the
//! reference interpreter to see inside it: the debugger's trace for world scripts.
//!
//! While journaling is on (`aether_host::world::ScriptRuntime::set_journal`),
//! a script's runtime notes each event it begins, every import the module calls with the answer
//! the world gave, the end of each handler (finished or its fault), and each restart of the
//! instance. Nothing of the world is copied and nothing runs twice in the world.
//!
//! `aether_debug::journal::JournalReplay` then hands those events to the reference interpreter
//! of the same graph, whose imports are answered from the journal ([`Replayer`]): the
//! interpreter makes exactly the compiled module's calls (the world differential test holds them to it), so it gets exactly
//! the answers the world gave, and its trace of each event is what the module did, with every
//! port's value. A call the journal does not hold next (another import, or none left) means the
//! two parted; that event's trace says so rather than showing values that were not the real ones.

use std::collections::VecDeque;
use std::sync::Arc;

use aether_lang::imports::ImportCalls;
use aether_world_types::{CallCode, Vec2};

/// What an import answered.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// A number (an id, 0, or a negative refusal code).
    Int(i64),
    /// A position, or a refusal code.
    Position(Result<Vec2, i32>),
    /// Bytes (a stored value, a kind's name), or a refusal code.
    Bytes(Result<Vec<u8>, i32>),
}

impl From<i64> for Answer {
    fn from(v: i64) -> Self {
        Answer::Int(v)
    }
}

impl From<i32> for Answer {
    fn from(v: i32) -> Self {
        Answer::Int(i64::from(v))
    }
}

impl From<Result<Vec2, i32>> for Answer {
    fn from(v: Result<Vec2, i32>) -> Self {
        Answer::Position(v)
    }
}

impl From<Result<Vec<u8>, i32>> for Answer {
    fn from(v: Result<Vec<u8>, i32>) -> Self {
        Answer::Bytes(v)
    }
}

/// One line of a script's journal.
#[derive(Clone, Debug, PartialEq)]
pub enum JournalEntry {
    /// A handler began for this event (its postcard bytes, as delivered).
    Event(Arc<[u8]>),
    /// The module called this import and the world answered.
    Call(&'static str, Answer),
    /// The fuel of the world's work for the call before it (entities walked, storage read).
    Work(u64),
    /// The handler ended.
    End {
        /// `None` when it finished, else its fault in words.
        fault: Option<String>,
        /// The fuel the host charged for the whole handler (every slice of it).
        fuel: u64,
    },
    /// The instance was replaced by a fresh one (`init` again) after a fault: its variables
    /// start over, and a handler in flight was dropped.
    Restart,
}

/// Answers a [`WorldInterpreter`]'s calls from a journal, in order.
#[derive(Debug, Default)]
pub struct Replayer {
    calls: VecDeque<(&'static str, Answer, u64)>,
    /// The world's work for the call answered last, until taken.
    work: u64,
    /// The first call the journal did not hold next, in words.
    pub parted: Option<String>,
}

impl Replayer {
    /// Answers from `calls` (each import, its answer and the fuel of the world's work for
    /// it), in order.
    pub fn new(calls: impl IntoIterator<Item = (&'static str, Answer, u64)>) -> Self {
        Self {
            calls: calls.into_iter().collect(),
            work: 0,
            parted: None,
        }
    }

    /// Calls the journal holds that nobody asked for.
    pub fn left(&self) -> usize {
        self.calls.len()
    }

    fn next(&mut self, import: &'static str) -> Option<Answer> {
        if self.parted.is_some() {
            return None;
        }
        match self.calls.front() {
            Some((name, _, _)) if *name == import => self.calls.pop_front().map(|(_, a, w)| {
                self.work = w;
                a
            }),
            Some((name, _, _)) => {
                self.parted = Some(format!(
                    "the graph called {import} where the module called {name}"
                ));
                None
            }
            None => {
                self.parted = Some(format!(
                    "the graph called {import} after the module's last call"
                ));
                None
            }
        }
    }

    fn int(&mut self, import: &'static str) -> i64 {
        match self.next(import) {
            Some(Answer::Int(v)) => v,
            _ => i64::from(CallCode::InvalidArgument.as_i32()),
        }
    }

    fn small(&mut self, import: &'static str) -> i32 {
        i32::try_from(self.int(import)).unwrap_or(CallCode::InvalidArgument.as_i32())
    }

    fn bytes(&mut self, import: &'static str) -> Result<Vec<u8>, i32> {
        match self.next(import) {
            Some(Answer::Bytes(v)) => v,
            _ => Err(CallCode::InvalidArgument.as_i32()),
        }
    }
}

impl ImportCalls for Replayer {
    fn take_work(&mut self) -> u64 {
        std::mem::take(&mut self.work)
    }

    /// A rated call the journal holds as `throttled` was refused before its payload was copied
    /// (the host checks rates first, and the call would refuse it then): so it is here.
    fn admit(&mut self, import: &'static str, _bytes: usize) -> Option<i64> {
        let throttled = i64::from(CallCode::Throttled.as_i32());
        match self.calls.front() {
            Some((name, Answer::Int(code), _)) if *name == import && *code == throttled => {
                self.int(import);
                Some(throttled)
            }
            _ => None,
        }
    }
    fn entity_spawn(&mut self, _: &str, _: f32, _: f32) -> i64 {
        self.int("entity_spawn")
    }
    fn entity_destroy(&mut self, _: i32) -> i32 {
        self.small("entity_destroy")
    }
    fn entity_position(&mut self, _: i32) -> Result<Vec2, i32> {
        match self.next("entity_position") {
            Some(Answer::Position(v)) => v,
            _ => Err(CallCode::InvalidArgument.as_i32()),
        }
    }
    fn physics_apply_force(&mut self, _: i32, _: f32, _: f32) -> i32 {
        self.small("physics_apply_force")
    }
    fn audio_play(&mut self, _: &str, _: f32, _: f32) -> i32 {
        self.small("audio_play")
    }
    fn network_send(&mut self, _: i32, _: &[u8]) -> i32 {
        self.small("network_send")
    }
    fn storage_read(&mut self, _: &[u8], _: usize) -> Result<Vec<u8>, i32> {
        self.bytes("storage_read")
    }
    fn storage_write(&mut self, _: &[u8], _: &[u8]) -> i32 {
        self.small("storage_write")
    }
    fn ui_message(&mut self, _: i32, _: &str) -> i32 {
        self.small("ui_message")
    }
    fn entity_kind(&mut self, _: i32, _: usize) -> Result<Vec<u8>, i32> {
        self.bytes("entity_kind")
    }
    fn entity_next_near(&mut self, _: f32, _: f32, _: f32, _: i32) -> i64 {
        self.int("entity_next_near")
    }
    fn physics_set_velocity(&mut self, _: i32, _: f32, _: f32) -> i32 {
        self.small("physics_set_velocity")
    }
    fn physics_raycast(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32) -> i64 {
        self.int("physics_raycast")
    }
    fn ui_objective(&mut self, _: i32, _: &str) -> i32 {
        self.small("ui_objective")
    }
    fn ui_marker(&mut self, _: f32, _: f32, _: &str) -> i32 {
        self.small("ui_marker")
    }
    fn entity_is_mine(&mut self, _: i32) -> i32 {
        self.small("entity_is_mine")
    }
    fn entity_hp(&mut self, _: i32) -> i32 {
        self.small("entity_hp")
    }
    fn entity_set_hp(&mut self, _: i32, _: i32) -> i32 {
        self.small("entity_set_hp")
    }
    fn network_broadcast(&mut self, _: &[u8]) -> i32 {
        self.small("network_broadcast")
    }
    fn network_send_script(&mut self, _: &str, _: &[u8]) -> i32 {
        self.small("network_send_script")
    }
}
