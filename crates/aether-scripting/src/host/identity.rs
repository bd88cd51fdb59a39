//! The controller's identity string, `"<name> <semver>"`.

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
        let shown = crate::text::escape(text);
        if let Some((at, c)) = crate::text::first_unsafe(text) {
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
                crate::text::escape(version)
            ));
        }
        Ok(Identity {
            name: name.to_owned(),
            version: version.to_owned(),
        })
    }
}

/// The values of the exported `__ident_ptr` and `__ident_len` globals: the addresses of the
/// identity cells.
pub(crate) fn ident_cells<T>(
    instance: &wasmtime::Instance,
    store: &mut wasmtime::Store<T>,
) -> Result<(i32, i32), super::LoadError> {
    let mut global = |name: &'static str| {
        instance
            .get_global(&mut *store, name)
            .map(|g| g.get(&mut *store))
            .and_then(|v| v.i32())
            .ok_or(super::LoadError::MissingExport {
                name,
                expected: "an i32 global",
            })
    };
    Ok((global("__ident_ptr")?, global("__ident_len")?))
}

/// Reads the identity through the address cells of `__ident_ptr` and `__ident_len` (`cells`, the
/// globals' values): each holds the address of a 4-byte little-endian cell, as rustc lays out a
/// `#[no_mangle] pub static`. Every read of `data` (the module's memory) is bounds-checked.
pub(crate) fn read_identity(data: &[u8], cells: (i32, i32)) -> Result<Identity, super::LoadError> {
    let bad = |problem: String| super::LoadError::Identity { problem };
    let cell = |name: &str, addr: i32| -> Result<i32, super::LoadError> {
        let start = u32::try_from(addr).ok().map(|a| a as usize);
        start
            .and_then(|s| data.get(s..s.checked_add(4)?))
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| {
                bad(format!(
                    "`{name}` holds address {addr:#x}, outside the module's {}-byte memory",
                    data.len()
                ))
            })
    };
    let ptr = cell("__ident_ptr", cells.0)?;
    let len = cell("__ident_len", cells.1)?;
    let max = MAX_IDENTITY_BYTES as i32;
    if !(1..=max).contains(&len) {
        return Err(bad(format!(
            "the identity length is {len}; it must be 1 to {max} bytes"
        )));
    }
    let bytes = u32::try_from(ptr)
        .ok()
        .and_then(|p| data.get(p as usize..(p as usize).checked_add(len as usize)?))
        .ok_or_else(|| {
            bad(format!(
                "the identity string ({len} bytes at {ptr:#x}) lies outside the module's {}-byte memory",
                data.len()
            ))
        })?;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        bad(format!(
            "the identity is not UTF-8 (invalid byte at position {})",
            e.valid_up_to()
        ))
    })?;
    Identity::parse(text).map_err(bad)
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
