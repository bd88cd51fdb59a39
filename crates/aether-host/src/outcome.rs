//! How a turn ended: what the live instance reports and the session passes on.

use std::fmt;

/// How a turn ended. Anything but [`TurnOutcome::Ok`] counts as an empty action list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TurnOutcome {
    /// The module replied with a well-formed action list.
    Ok,
    /// The fuel budget ran out.
    OutOfFuel {
        /// The budget.
        fuel: u64,
    },
    /// The wall-clock deadline passed.
    Deadline {
        /// The deadline.
        millis: u64,
    },
    /// The module needed more memory than the cap (and failed for it), or the state and reply
    /// buffer did not fit.
    MemoryLimit {
        /// Bytes it asked for.
        requested: u64,
        /// The cap.
        limit: u64,
    },
    /// The module trapped.
    Trap {
        /// The trap, in words.
        message: String,
    },
    /// `decide_turn` returned a negative number or more than the reply buffer holds.
    BadReturn {
        /// What it returned.
        value: i32,
        /// Size of the reply buffer.
        reply_capacity: u32,
    },
    /// The reply bytes are not a postcard `Vec<Action>`.
    BadReply {
        /// What is wrong with them.
        message: String,
    },
}

impl TurnOutcome {
    /// The stable snake_case code (`ok`, `out_of_fuel`, `deadline`, `memory_limit`, `trap`,
    /// `bad_return`, `bad_reply`).
    pub fn code(&self) -> &'static str {
        match self {
            TurnOutcome::Ok => "ok",
            TurnOutcome::OutOfFuel { .. } => "out_of_fuel",
            TurnOutcome::Deadline { .. } => "deadline",
            TurnOutcome::MemoryLimit { .. } => "memory_limit",
            TurnOutcome::Trap { .. } => "trap",
            TurnOutcome::BadReturn { .. } => "bad_return",
            TurnOutcome::BadReply { .. } => "bad_reply",
        }
    }

    /// Whether the turn succeeded.
    pub fn is_ok(&self) -> bool {
        matches!(self, TurnOutcome::Ok)
    }
}

impl fmt::Display for TurnOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TurnOutcome::Ok => f.write_str("ok"),
            TurnOutcome::OutOfFuel { fuel } => write!(
                f,
                "out of fuel: the AI used its whole budget of {fuel} and was stopped; it does nothing this turn"
            ),
            TurnOutcome::Deadline { millis } => write!(
                f,
                "deadline: the AI ran longer than {millis} ms and was stopped; it does nothing this turn"
            ),
            TurnOutcome::MemoryLimit { requested, limit } => write!(
                f,
                "memory limit: the AI needed {requested} bytes of memory, above the cap of {limit}; it does nothing this turn"
            ),
            TurnOutcome::Trap { message } => {
                write!(
                    f,
                    "trap: the AI crashed ({message}); it does nothing this turn"
                )
            }
            TurnOutcome::BadReturn {
                value,
                reply_capacity,
            } => {
                if *value < 0 {
                    write!(
                        f,
                        "bad return value: decide_turn returned {value}, which reports an error; the AI does nothing this turn"
                    )
                } else {
                    write!(
                        f,
                        "bad return value: decide_turn claims a {value}-byte reply but the buffer holds {reply_capacity}; the AI does nothing this turn"
                    )
                }
            }
            TurnOutcome::BadReply { message } => {
                write!(f, "bad reply: {message}; the AI does nothing this turn")
            }
        }
    }
}
