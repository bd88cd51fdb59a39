//! A tick report in words (one block per tick) and as JSON (one object per tick).

use std::fmt::Write as _;

use aether_base::text::escape;
use serde_json::{Value, json};

use crate::run::{ScriptInfo, TickReport};

fn name_of(scripts: &[ScriptInfo], id: aether_world::ScriptId) -> String {
    scripts.iter().find(|s| s.id == id).map_or_else(
        || format!("script {}", id.0),
        |s| escape(&s.name).into_owned(),
    )
}

/// Milliseconds of fuel in words: `1.25 ms`, or `3.40 µs` below a tenth of a millisecond.
fn fuel_time(ms: f64) -> String {
    if ms >= 0.1 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.2} µs", ms * 1000.0)
    }
}

/// Items of one kind listed in full in a tick's text; more are counted.
const FEW: usize = 4;

/// How many times each (script, name) pair occurs, in first-seen order.
fn counts<'a>(items: impl Iterator<Item = (u32, &'a str)>) -> Vec<((u32, &'a str), usize)> {
    let mut out: Vec<((u32, &'a str), usize)> = Vec::new();
    for item in items {
        match out.iter_mut().find(|(k, _)| *k == item) {
            Some((_, n)) => *n += 1,
            None => out.push((item, 1)),
        }
    }
    out
}

/// The tick in words: a line with the hash, the scripts that ran (fuel, slices, wall time) and
/// the tick's totals; a line for each script that waited, got negative answers, faulted or is
/// not ready; a line for what happened in the world.
pub fn text(report: &TickReport, scripts: &[ScriptInfo]) -> String {
    let u = &report.usage;
    let ran: Vec<String> = u
        .scripts
        .iter()
        .filter(|s| s.slices > 0)
        .map(|s| {
            format!(
                "{} {} fuel = {} of CPU in {} slice(s), {} handler(s) finished, {:.3} ms wall",
                name_of(scripts, s.id),
                s.fuel_used,
                fuel_time(s.cpu_ms),
                s.slices,
                s.handlers,
                s.wall_time.as_secs_f64() * 1000.0
            )
        })
        .collect();
    let mut out = format!(
        "tick {:>4}  hash {:016x}  scripts used {} of CPU (budget {:.0} ms), tick wall {:.2} ms; ran: {}",
        report.tick,
        report.hash,
        fuel_time(u.cpu_ms),
        u.fuel_budget as f64 / aether_world::DEFAULT_FUEL_PER_MS as f64,
        report.wall.as_secs_f64() * 1000.0,
        if ran.is_empty() {
            "nothing".to_owned()
        } else {
            ran.join(" | ")
        }
    );
    for s in &u.scripts {
        let mut notes = Vec::new();
        if s.ticks_waited > 0 {
            notes.push(format!("had waited {} tick(s)", s.ticks_waited));
        }
        if !s.refused.is_empty() {
            let calls: Vec<String> = s
                .refused
                .iter()
                .map(|(what, n)| format!("{what} ×{n}"))
                .collect();
            notes.push(format!("negative answers: {}", calls.join(", ")));
        }
        for f in &s.faults {
            notes.push(format!("FAULT: {}", escape(f)));
        }
        match &s.state {
            aether_world::ScriptState::Ready | aether_world::ScriptState::Running => {}
            aether_world::ScriptState::Suspended { ticks } => {
                notes.push(format!("suspended, unfinished for {ticks} tick(s)"));
            }
            // Said once, on the tick of the fault that caused it.
            aether_world::ScriptState::BackingOff { until, .. } if !s.faults.is_empty() => {
                notes.push(format!("backing off until tick {}", until.0));
            }
            aether_world::ScriptState::Disabled { reason } if !s.faults.is_empty() => {
                notes.push(format!("DISABLED: {}", escape(reason)));
            }
            aether_world::ScriptState::BackingOff { .. }
            | aether_world::ScriptState::Disabled { .. } => {}
        }
        if !notes.is_empty() {
            let _ = write!(out, "\n  {}: {}", name_of(scripts, s.id), notes.join("; "));
        }
    }
    let l = &report.log;
    let mut world = Vec::new();
    for p in &l.joined {
        world.push(format!("player {} joined", p.0));
    }
    for p in &l.left {
        world.push(format!("player {} left", p.0));
    }
    // Long lists (a spawn bomb, a pile-up) are summed up: a few items in full, else counts.
    if l.spawned.len() <= FEW {
        for (e, kind, at, by) in &l.spawned {
            world.push(format!(
                "{} spawned {} #{} at ({:.1}, {:.1})",
                name_of(scripts, *by),
                escape(kind),
                e.0,
                at.x,
                at.y
            ));
        }
    } else {
        for ((by, kind), n) in counts(l.spawned.iter().map(|(_, k, _, by)| (by.0, k.as_str()))) {
            world.push(format!(
                "{} spawned {n} {}",
                name_of(scripts, aether_world::ScriptId(by)),
                escape(kind)
            ));
        }
    }
    for (e, by) in &l.destroyed {
        world.push(format!("{} destroyed #{}", name_of(scripts, *by), e.0));
    }
    if l.sounds.len() <= FEW {
        for (by, sound, at) in &l.sounds {
            world.push(format!(
                "{} played \"{}\" at ({:.1}, {:.1})",
                name_of(scripts, *by),
                escape(sound),
                at.x,
                at.y
            ));
        }
    } else {
        for ((by, sound), n) in counts(l.sounds.iter().map(|(by, s, _)| (by.0, s.as_str()))) {
            world.push(format!(
                "{} played \"{}\" ×{n}",
                name_of(scripts, aether_world::ScriptId(by)),
                escape(sound)
            ));
        }
    }
    for (by, to, text) in &l.messages {
        let to = to.map_or_else(|| "everyone".to_owned(), |p| format!("player {}", p.0));
        world.push(format!(
            "{} told {to}: \"{}\"",
            name_of(scripts, *by),
            escape(text)
        ));
    }
    for (by, to, body) in &l.rpcs {
        world.push(format!(
            "{} sent {} byte(s) to player {}",
            name_of(scripts, *by),
            body.len(),
            to.0
        ));
    }
    for (by, to, body) in &l.script_messages {
        world.push(format!(
            "{} sent {} byte(s) to {}",
            name_of(scripts, *by),
            body.len(),
            name_of(scripts, *to)
        ));
    }
    for (by, to, text) in &l.objectives {
        let to = to.map_or_else(|| "everyone".to_owned(), |p| format!("player {}", p.0));
        world.push(format!(
            "{} set {to}'s objective: \"{}\"",
            name_of(scripts, *by),
            escape(text)
        ));
    }
    if l.markers.len() <= FEW {
        for (by, label, at) in &l.markers {
            world.push(format!(
                "{} placed marker \"{}\" at ({:.1}, {:.1})",
                name_of(scripts, *by),
                escape(label),
                at.x,
                at.y
            ));
        }
    } else {
        world.push(format!("{} markers placed", l.markers.len()));
    }
    if !l.writes.is_empty() {
        world.push(format!("{} storage write(s) committed", l.writes.len()));
    }
    if l.collisions.len() <= FEW {
        for (a, b) in &l.collisions {
            world.push(format!("#{} hit #{}", a.0, b.0));
        }
    } else {
        world.push(format!("{} collisions", l.collisions.len()));
    }
    for (e, a) in &l.entered {
        world.push(format!("#{} entered area {}", e.0, a.0));
    }
    if !world.is_empty() {
        let _ = write!(out, "\n  world: {}", world.join("; "));
    }
    out
}

/// The tick as one JSON object (`creator-studio world run --json` prints one per line).
pub fn json(report: &TickReport, scripts: &[ScriptInfo]) -> Value {
    let u = &report.usage;
    let l = &report.log;
    json!({
        "tick": report.tick,
        "hash": format!("{:016x}", report.hash),
        "fuel_used": u.fuel_used,
        "fuel_budget": u.fuel_budget,
        "cpu_ms": u.cpu_ms,
        "wall_ms": report.wall.as_secs_f64() * 1000.0,
        "delivered": l.delivered,
        "scripts": u.scripts.iter().map(|s| json!({
            "id": s.id.0,
            "name": name_of(scripts, s.id),
            "fuel_used": s.fuel_used,
            "cpu_ms": s.cpu_ms,
            "wall_ms": s.wall_time.as_secs_f64() * 1000.0,
            "slices": s.slices,
            "handlers": s.handlers,
            "ticks_waited": s.ticks_waited,
            "refused": s.refused,
            "faults": s.faults,
            "state": s.state.name(),
            "reason": match &s.state {
                aether_world::ScriptState::Disabled { reason }
                | aether_world::ScriptState::BackingOff { reason, .. } => Some(reason),
                _ => None,
            },
            "until": match &s.state {
                aether_world::ScriptState::BackingOff { until, .. } => Some(until.0),
                _ => None,
            },
        })).collect::<Vec<_>>(),
        "world": {
            "joined": l.joined.iter().map(|p| p.0).collect::<Vec<_>>(),
            "left": l.left.iter().map(|p| p.0).collect::<Vec<_>>(),
            "spawned": l.spawned.iter().map(|(e, k, at, by)| json!({"entity": e.0, "kind": k, "x": at.x, "y": at.y, "by": by.0})).collect::<Vec<_>>(),
            "destroyed": l.destroyed.iter().map(|(e, by)| json!({"entity": e.0, "by": by.0})).collect::<Vec<_>>(),
            "sounds": l.sounds.iter().map(|(by, s, at)| json!({"by": by.0, "sound": s, "x": at.x, "y": at.y})).collect::<Vec<_>>(),
            "messages": l.messages.iter().map(|(by, to, t)| json!({"by": by.0, "to": to.map(|p| p.0), "text": t})).collect::<Vec<_>>(),
            "rpcs": l.rpcs.iter().map(|(by, to, b)| json!({"by": by.0, "to": to.0, "bytes": b.len()})).collect::<Vec<_>>(),
    "script_messages": l.script_messages.iter().map(|(by, to, b)| json!({"by": by.0, "to": to.0, "bytes": b.len()})).collect::<Vec<_>>(),
            "objectives": l.objectives.iter().map(|(by, to, t)| json!({"by": by.0, "to": to.map(|p| p.0), "text": t})).collect::<Vec<_>>(),
            "markers": l.markers.iter().map(|(by, label, at)| json!({"by": by.0, "label": label, "x": at.x, "y": at.y})).collect::<Vec<_>>(),
            "storage_writes": l.writes.len(),
            "collisions": l.collisions.iter().map(|(a, b)| [a.0, b.0]).collect::<Vec<_>>(),
            "entered": l.entered.iter().map(|(e, a)| json!({"entity": e.0, "area": a.0})).collect::<Vec<_>>(),
        },
    })
}
