//! Turns: the report, the session that keeps an instance between turns, and the
//! determinism check.

use std::fmt;
use std::time::{Duration, Instant};

use mc_tactical_types::rules::{self, Event, Rejection, TurnLedger};
use mc_tactical_types::{Action, TacticalState};

use super::Controller;
use super::instance::LiveInstance;
pub use super::outcome::TurnOutcome;

/// One proposed action and the rules' verdict on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionReport {
    /// What the controller proposed.
    pub action: Action,
    /// What it did, or why it was refused.
    pub verdict: Result<Vec<Event>, Rejection>,
}

impl ActionReport {
    /// Whether the rules accepted it.
    pub fn accepted(&self) -> bool {
        self.verdict.is_ok()
    }
}

/// Everything about one turn: what the controller saw, proposed and achieved, and what it cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnReport {
    /// The controller's identity string.
    pub ident: String,
    /// The round.
    pub turn: u32,
    /// The slot it played.
    pub slot: u8,
    /// The seed it was given.
    pub seed: u64,
    /// How the call ended.
    pub outcome: TurnOutcome,
    /// Fuel burned by `decide_turn` (0 when metering is off).
    pub fuel_used: u64,
    /// The fuel budget, if metered.
    pub fuel_limit: Option<u64>,
    /// Linear memory after the call: the peak, since memory never shrinks.
    pub memory_bytes: u64,
    /// The memory cap.
    pub memory_limit: u64,
    /// Time spent in `decide_turn` (and placing the state).
    pub wall_time: Duration,
    /// Time spent instantiating and calling `init`, if this turn needed a fresh instance.
    pub instantiate_time: Option<Duration>,
    /// The size of the postcard state the controller received.
    pub state_bytes: usize,
    /// The raw reply (empty when the turn failed).
    pub reply: Vec<u8>,
    /// Each proposed action with its verdict, in order.
    pub actions: Vec<ActionReport>,
    /// The authoritative state after applying the accepted actions.
    pub state_after: TacticalState,
}

impl TurnReport {
    /// How many proposed actions the rules accepted.
    pub fn accepted_count(&self) -> usize {
        self.actions.iter().filter(|a| a.accepted()).count()
    }
}

/// Plays turns with one controller, keeping its instance between successful turns and starting a
/// fresh one (calling `init` again) after a failed turn.
pub struct ControllerSession {
    controller: Controller,
    live: Option<LiveInstance>,
}

impl fmt::Debug for ControllerSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ControllerSession")
            .field("controller", &self.controller)
            .field("live", &self.live.is_some())
            .finish()
    }
}

impl ControllerSession {
    /// A session with no instance yet; the first turn creates one.
    pub fn new(controller: Controller) -> Self {
        Self {
            controller,
            live: None,
        }
    }

    /// The controller played.
    pub fn controller(&self) -> &Controller {
        &self.controller
    }

    /// Plays the turn of `slot` on the authoritative `state`: the controller sees only
    /// `rules::view_for(state, slot)`; its actions are applied to a copy of `state`, returned as
    /// [`TurnReport::state_after`].
    pub fn play_turn(&mut self, state: &TacticalState, slot: u8, seed: u64) -> TurnReport {
        let limits = self.controller.limits().clone();
        let view = rules::view_for(state, slot);
        let encoded = postcard::to_allocvec(&view);
        let mut report = TurnReport {
            ident: self.controller.identity().to_string(),
            turn: state.turn,
            slot,
            seed,
            outcome: TurnOutcome::Ok,
            fuel_used: 0,
            fuel_limit: limits.fuel_per_turn,
            memory_bytes: 0,
            memory_limit: limits.memory_bytes,
            wall_time: Duration::ZERO,
            instantiate_time: None,
            state_bytes: encoded.as_ref().map_or(0, Vec::len),
            reply: Vec::new(),
            actions: Vec::new(),
            state_after: state.clone(),
        };
        let encoded = match encoded {
            Ok(bytes) => bytes,
            Err(e) => {
                report.outcome = TurnOutcome::Trap {
                    message: format!("the host could not encode the state: {e}"),
                };
                return report;
            }
        };
        if self.live.is_none() {
            let started = Instant::now();
            let inner = &self.controller.inner;
            match LiveInstance::start(&inner.pre, &inner.limits, inner.has_start) {
                Ok(live) => self.live = Some(live),
                Err(e) => {
                    report.outcome = TurnOutcome::Trap {
                        message: format!("the controller could not be restarted: {e}"),
                    };
                    return report;
                }
            }
            report.instantiate_time = Some(started.elapsed());
        }
        let Some(live) = self.live.as_mut() else {
            return report;
        };
        let call = live.decide(&encoded, slot, seed, limits.reply_capacity);
        report.fuel_used = call.fuel_used;
        report.memory_bytes = call.memory_bytes;
        report.wall_time = call.wall_time;
        let decoded = call.result.and_then(|reply| {
            let actions = decode_reply(&reply)?;
            Ok((reply, actions))
        });
        match decoded {
            Ok((reply, actions)) => {
                report.reply = reply;
                let mut ledger = TurnLedger::new(slot);
                report.actions = actions
                    .into_iter()
                    .map(|action| ActionReport {
                        verdict: rules::apply(&mut report.state_after, &mut ledger, &action),
                        action,
                    })
                    .collect();
            }
            Err(outcome) => {
                report.outcome = outcome;
                // The next turn starts from a clean instance.
                self.live = None;
            }
        }
        report
    }
}

/// Decodes a postcard `Vec<Action>` that must fill the reply exactly.
fn decode_reply(reply: &[u8]) -> Result<Vec<Action>, TurnOutcome> {
    match postcard::take_from_bytes::<Vec<Action>>(reply) {
        Ok((actions, [])) => Ok(actions),
        Ok((actions, rest)) => Err(TurnOutcome::BadReply {
            message: format!(
                "{} bytes follow the list of {} actions",
                rest.len(),
                actions.len()
            ),
        }),
        Err(e) => Err(TurnOutcome::BadReply {
            message: format!(
                "the {} reply bytes are not a postcard list of actions ({e})",
                reply.len()
            ),
        }),
    }
}

/// The verdict of [`check_determinism`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Determinism {
    /// Both runs gave the same outcome and the same reply bytes.
    Same,
    /// The runs differ.
    Differs {
        /// Outcome code and reply of the first run.
        first: (&'static str, Vec<u8>),
        /// Outcome code and reply of the second run.
        second: (&'static str, Vec<u8>),
    },
}

/// Runs `(state, slot, seed)` on two fresh instances and compares outcome and reply bytes.
/// Returns the first run's report with the verdict.
pub fn check_determinism(
    controller: &Controller,
    state: &TacticalState,
    slot: u8,
    seed: u64,
) -> (TurnReport, Determinism) {
    let first = controller.session().play_turn(state, slot, seed);
    let second = controller.session().play_turn(state, slot, seed);
    let verdict = if first.outcome.code() == second.outcome.code() && first.reply == second.reply {
        Determinism::Same
    } else {
        Determinism::Differs {
            first: (first.outcome.code(), first.reply.clone()),
            second: (second.outcome.code(), second.reply),
        }
    };
    (first, verdict)
}
