//! Writing JSON that diffs well: one item per line, fixed key order, deterministic bytes.
//!
//! Shared by the scenario and graph file formats.

use std::fmt::Write as _;

use serde::Serialize;

/// Writes `"key": [` then each item on its own line, then `]`, and a comma unless `last`.
pub fn write_list(out: &mut String, key: &str, items: &[String], last: bool) {
    let _ = write!(out, "  {}: [", json_str(key));
    for (i, item) in items.iter().enumerate() {
        let sep = if i + 1 < items.len() { "," } else { "" };
        let _ = write!(out, "\n    {item}{sep}");
    }
    if !items.is_empty() {
        out.push_str("\n  ");
    }
    out.push(']');
    out.push_str(if last { "\n" } else { ",\n" });
}

pub fn json_str(s: &str) -> String {
    json_value(&s)
}

pub fn json_value<T: Serialize + ?Sized>(v: &T) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, OneLine);
    // Serialising strings, numbers and derive-generated structs into memory cannot fail.
    if v.serialize(&mut ser).is_err() {
        return String::from("null");
    }
    String::from_utf8(buf).unwrap_or_default()
}

/// Compact JSON on one line, with a space after each `:` and `,` for the human reader.
#[derive(Debug)]
pub struct OneLine;

impl serde_json::ser::Formatter for OneLine {
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// serde_json appends " at line L column C"; we report the position separately.
pub fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// `"<path>: "` for an error about a file, or nothing when the text did not come from a file.
pub fn path_prefix(path: &Option<std::path::PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}
