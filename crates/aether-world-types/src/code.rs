//! The return codes of the `"aether"` imports.

/// What an `"aether"` import returns when it does not succeed, as a negative `i32` (success is
/// zero or a non-negative value the import documents). A refused call changes nothing in the
/// world and is counted in the tick's usage; it never traps the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(i32)]
pub enum CallCode {
    /// An argument is out of range, not finite, or points outside the script's memory.
    InvalidArgument = -1,
    /// The entity, player, area or key does not exist.
    NotFound = -2,
    /// The call's rate limit for this second of world time is used up; try again on a later tick.
    Throttled = -3,
    /// The script's storage quota (bytes) would be exceeded.
    QuotaExceeded = -4,
    /// The world does not let this script do that (for example, touch an entity another script
    /// owns).
    NotPermitted = -5,
    /// The output buffer the script gave is too small; nothing was written.
    BufferTooSmall = -6,
}

impl CallCode {
    /// Every code, in order.
    pub const ALL: [CallCode; 6] = [
        CallCode::InvalidArgument,
        CallCode::NotFound,
        CallCode::Throttled,
        CallCode::QuotaExceeded,
        CallCode::NotPermitted,
        CallCode::BufferTooSmall,
    ];

    /// The code as the import returns it.
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// The code a negative return value stands for, if any.
    pub fn from_i32(value: i32) -> Option<CallCode> {
        CallCode::ALL.into_iter().find(|c| c.as_i32() == value)
    }

    /// A stable snake_case name (`throttled`), as usage reports and logs print it.
    pub const fn name(self) -> &'static str {
        match self {
            CallCode::InvalidArgument => "invalid_argument",
            CallCode::NotFound => "not_found",
            CallCode::Throttled => "throttled",
            CallCode::QuotaExceeded => "quota_exceeded",
            CallCode::NotPermitted => "not_permitted",
            CallCode::BufferTooSmall => "buffer_too_small",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_negative_distinct_and_round_trip() {
        for (i, c) in CallCode::ALL.into_iter().enumerate() {
            assert_eq!(c.as_i32(), -(i as i32) - 1);
            assert_eq!(CallCode::from_i32(c.as_i32()), Some(c));
        }
        assert_eq!(CallCode::from_i32(0), None);
        assert_eq!(CallCode::from_i32(-7), None);
    }
}
