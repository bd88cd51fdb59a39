//! A world script's journal played back through the reference interpreter, to see inside what
//! really ran (the journal itself, and the [`Replayer`] that answers the interpreter's calls
//! from it, are `aether_world::journal`'s): each event's trace with every port's value, and,
//! when asked, its fuel node by node from the module's instrumented twin ([`crate::profile`]).

use std::sync::Arc;

use aether_compile::ScriptArtifact;
use aether_lang::interp::world::WorldInterpreter;
use aether_lang::interp::{CheckedGraph, Trace};
use aether_world::journal::{Answer, JournalEntry, Replayer};
use aether_world_types::WorldEvent;

use crate::profile::WorldProfiler;

/// One event a script handled, seen from inside.
#[derive(Clone, Debug)]
pub struct EventTrace {
    /// The world tick it ran in (as given to [`JournalReplay::feed`]).
    pub tick: u64,
    /// The event.
    pub event: WorldEvent,
    /// What the graph did with it, every port's value included (empty when nothing answers
    /// the event).
    pub trace: Trace,
    /// How the handler ended: `None` when it finished, else its fault in words.
    pub fault: Option<String>,
    /// Set when the graph's calls and the module's parted (the values are then not the real
    /// ones after that point): why, in words.
    pub parted: Option<String>,
    /// The fuel the host charged for the handler.
    pub fuel: u64,
    /// Where that fuel went, node by node, when measured ([`JournalReplay::with_fuel`]): the
    /// parts add up to `fuel` exactly, or this says why not.
    pub profile: Option<Result<crate::profile::FuelProfile, String>>,
}

/// An event begun: its tick, its bytes, the calls so far.
type Open = (u64, Arc<[u8]>, Vec<(&'static str, Answer, u64)>);

/// A script's journal played back through the interpreter as it arrives: keeps the
/// interpreter's variables between events as the module keeps its own, and starts over when the
/// module's instance does.
#[derive(Debug)]
pub struct JournalReplay {
    graph: CheckedGraph,
    interp: WorldInterpreter,
    /// The module's instrumented twin, when fuel per node is measured.
    profiler: Option<Result<WorldProfiler, String>>,
    /// An event begun whose end has not arrived yet (a handler spread over ticks).
    open: Option<Open>,
}

impl JournalReplay {
    /// A replay for `graph`, from the script's start.
    pub fn new(graph: CheckedGraph) -> Self {
        Self {
            interp: WorldInterpreter::new(graph.clone()),
            graph,
            profiler: None,
            open: None,
        }
    }

    /// The same, also measuring each event's fuel node by node in an instrumented twin of
    /// `artifact` (the graph compiled, as the world runs it).
    pub fn with_fuel(graph: CheckedGraph, artifact: &ScriptArtifact) -> Self {
        let mut replay = Self::new(graph);
        replay.profiler = Some(WorldProfiler::new(artifact));
        replay
    }

    /// Stops measuring fuel per node (the values go on).
    pub fn stop_fuel(&mut self) {
        self.profiler = None;
    }

    /// Takes in the journal written during `tick`; returns the events that ended in it, in order.
    pub fn feed(&mut self, tick: u64, entries: Vec<JournalEntry>) -> Vec<EventTrace> {
        let mut out = Vec::new();
        for e in entries {
            match e {
                JournalEntry::Event(bytes) => self.open = Some((tick, bytes, Vec::new())),
                JournalEntry::Call(name, answer) => {
                    if let Some((_, _, calls)) = self.open.as_mut() {
                        calls.push((name, answer, 0));
                    }
                }
                JournalEntry::Work(work) => {
                    if let Some(last) = self.open.as_mut().and_then(|(_, _, c)| c.last_mut()) {
                        last.2 += work;
                    }
                }
                JournalEntry::End { fault, fuel } => {
                    if let Some((tick, bytes, calls)) = self.open.take()
                        && let Ok(event) = postcard::from_bytes::<WorldEvent>(&bytes)
                    {
                        let profile = match (&mut self.profiler, &fault) {
                            (None, _) => None,
                            (Some(Err(why)), _) => Some(Err(why.clone())),
                            (Some(Ok(_)), Some(_)) => {
                                Some(Err("the handler stopped before its end".to_owned()))
                            }
                            (Some(Ok(p)), None) => {
                                Some(p.event(&bytes, calls.clone()).and_then(|prof| {
                                    if prof.total == fuel {
                                        Ok(prof)
                                    } else {
                                        Err(format!(
                                            "the count ({}) is not the host's fuel ({fuel}): \
                                                 please report it with the graph",
                                            prof.total
                                        ))
                                    }
                                }))
                            }
                        };
                        let mut replayer = Replayer::new(calls);
                        let trace = self.interp.handle(&event, &mut replayer);
                        let parted = match (&replayer.parted, replayer.left(), &fault) {
                            (Some(p), _, _) => Some(p.clone()),
                            // A fault stops the module part way; the interpreter has no fuel to
                            // run out of, so what it did after is not what ran.
                            (None, _, Some(f)) => Some(format!("the module stopped: {f}")),
                            (None, 0, None) => None,
                            (None, n, None) => Some(format!(
                                "the module made {n} call{} the graph did not",
                                if n == 1 { "" } else { "s" }
                            )),
                        };
                        out.push(EventTrace {
                            tick,
                            event,
                            trace,
                            fault,
                            parted,
                            fuel,
                            profile,
                        });
                    }
                }
                JournalEntry::Restart => {
                    self.open = None;
                    self.interp = WorldInterpreter::new(self.graph.clone());
                    if let Some(Ok(p)) = &mut self.profiler
                        && let Err(why) = p.restart()
                    {
                        self.profiler = Some(Err(why));
                    }
                }
            }
        }
        out
    }
}
