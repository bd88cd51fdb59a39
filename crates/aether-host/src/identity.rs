//! Reading a module's identity out of its memory, through the address cells of `__ident_ptr`
//! and `__ident_len` (what the identity must look like is [`Identity`]'s, in the language).

use aether_lang::identity::{Identity, MAX_IDENTITY_BYTES};

/// The values of the exported `__ident_ptr` and `__ident_len` globals: the addresses of the
/// identity cells.
pub fn ident_cells<T>(
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
pub fn read_identity(data: &[u8], cells: (i32, i32)) -> Result<Identity, super::LoadError> {
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
