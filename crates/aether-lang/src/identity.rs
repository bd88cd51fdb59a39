//! The identity string every module announces, `"<name> <semver>"` (AI controllers and world
//! scripts alike): parsed and checked here, read out of a module's memory by the host.

use std::fmt;

/// A parsed identity: the name and the semantic version a module announces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Everything before the last space, e.g. `learned-duel`.
    pub name: String,
    /// The version after the last space, e.g. `1.0.0-b`.
    pub version: String,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.version)
    }
}

/// The longest identity string a controller may announce, in bytes.
pub const MAX_IDENTITY_BYTES: usize = 256;

impl Identity {
    /// Parses `"<name> <semver>"`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Identity, String> {
        if text.len() > MAX_IDENTITY_BYTES {
            return Err(format!(
                "the identity is {} bytes long; at most {MAX_IDENTITY_BYTES} are allowed",
                text.len()
            ));
        }
        let shown = aether_base::text::escape(text);
        if let Some((at, c)) = aether_base::text::first_unsafe(text) {
            return Err(format!(
                "\"{shown}\" contains an invisible control character (U+{:04X} at character {at}); \
                 the identity must be printable text",
                c as u32
            ));
        }
        let Some((name, version)) = text.rsplit_once(' ') else {
            return Err(format!(
                "\"{shown}\" is not \"<name> <version>\" (for example \"my-ai 1.0.0\")"
            ));
        };
        if name.trim().is_empty() {
            return Err(format!("\"{shown}\" has an empty name"));
        }
        if !is_semver(version) {
            return Err(format!(
                "\"{}\" is not a version number like 1.0.0 or 1.2.0-beta",
                aether_base::text::escape(version)
            ));
        }
        Ok(Identity {
            name: name.to_owned(),
            version: version.to_owned(),
        })
    }
}

/// Whether `v` is `MAJOR.MINOR.PATCH[-PRE][+BUILD]` as semver.org defines it.
pub fn is_semver(v: &str) -> bool {
    let (v, build) = match v.split_once('+') {
        Some((v, b)) => (v, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(ident)
        && build.is_none_or(ident)
}

/// The major version number of a semantic version, if it has one.
pub fn semver_major(v: &str) -> Option<u64> {
    v.split('.').next()?.parse().ok()
}
