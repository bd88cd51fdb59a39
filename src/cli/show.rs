//! `state show`: a state drawn as text — terrain, units by owner, a legend and a unit table.

use std::fmt::Write as _;
use std::io::IsTerminal as _;

use aether_lang::scenario::{MAP_LEGEND, Scenario};
use mc_tactical_types::{Pos, UnitKind};

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// List every unit even when there are many.
    pub all_units: bool,
    /// Colour units by owner with ANSI escapes.
    pub color: bool,
}

/// Units listed by default; larger states show per-player totals only.
const UNIT_LIST_LIMIT: usize = 60;

/// Whether stdout is a terminal that wants colour (NO_COLOR unset).
pub fn color_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

const OWNER_COLORS: [&str; 6] = ["34", "31", "32", "35", "33", "36"];

/// The whole text report for `scenario`.
pub fn render(scenario: &Scenario, options: &Options) -> String {
    let s = &scenario.state;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} x {} tiles, turn {}{}, {} players, {} units",
        scenario.name,
        s.map.width,
        s.map.height,
        s.turn,
        scenario
            .turn_limit
            .map(|l| format!(" of {l}"))
            .unwrap_or_default(),
        s.players.len(),
        s.units.len()
    );
    if !scenario.description.is_empty() {
        let _ = writeln!(out, "{}", scenario.description);
    }
    out.push('\n');

    // Column header: tens digit every ten columns, then units digits.
    let w = usize::from(s.map.width);
    let mut tens = String::from("     ");
    let mut ones = String::from("     ");
    for x in 0..w {
        if x % 10 == 0 {
            let _ = write!(tens, "{:<2}", (x / 10) % 10);
        } else {
            tens.push_str("  ");
        }
        let _ = write!(ones, "{} ", x % 10);
    }
    let _ = writeln!(out, "{}", tens.trim_end());
    let _ = writeln!(out, "{}", ones.trim_end());

    let mut grid: Vec<Option<(UnitKind, u8)>> = vec![None; w * usize::from(s.map.height)];
    for u in &s.units {
        if let Some(i) = s.map.index(u.pos) {
            grid[i] = Some((u.kind, u.owner));
        }
    }
    for y in 0..s.map.height {
        let _ = write!(out, "{y:>4} ");
        for x in 0..s.map.width {
            let pos = Pos::new(x, y);
            let cell = s.map.index(pos).and_then(|i| grid[i]);
            match cell {
                Some((kind, owner)) => {
                    let digit = char::from_digit(u32::from(owner), 10).unwrap_or('+');
                    if options.color {
                        let c = OWNER_COLORS[usize::from(owner) % OWNER_COLORS.len()];
                        let _ = write!(out, "\x1b[1;{c}m{}{digit}\x1b[0m", kind.letter());
                    } else {
                        let _ = write!(out, "{}{digit}", kind.letter());
                    }
                }
                None => {
                    let glyph = s.map.get(pos).unwrap_or_default().glyph();
                    let _ = write!(out, "{glyph} ");
                }
            }
        }
        // Trailing spaces carry no information.
        while out.ends_with(' ') {
            out.pop();
        }
        out.push('\n');
    }

    out.push('\n');
    let _ = writeln!(out, "Legend: {MAP_LEGEND}");
    let kinds: Vec<String> = UnitKind::ALL
        .iter()
        .map(|k| format!("{} {}", k.letter(), k.name()))
        .collect();
    let _ = writeln!(
        out,
        "        {}; the digit after a unit's letter is its owner's slot",
        kinds.join("  ")
    );

    out.push('\n');
    let _ = writeln!(out, "Players:");
    for p in &s.players {
        let count = s.units_of(p.slot).count();
        let _ = writeln!(
            out,
            "  {}: {}, mana {}, {} units, {} hp in total",
            p.slot,
            if p.alive { "alive" } else { "eliminated" },
            p.mana,
            count,
            s.total_hp(p.slot)
        );
    }

    if s.units.len() <= UNIT_LIST_LIMIT || options.all_units {
        out.push('\n');
        let _ = writeln!(
            out,
            "Units:\n  {:>5} {:>5} {:<8} {:>9} {:>7} {:>4} {:>4} {:>4} {:>4} {:>5}",
            "id", "owner", "kind", "position", "hp", "atk", "def", "rng", "mv", "sight"
        );
        for u in &s.units {
            let _ = writeln!(
                out,
                "  {:>5} {:>5} {:<8} {:>9} {:>7} {:>4} {:>4} {:>4} {:>4} {:>5}{}",
                u.id,
                u.owner,
                u.kind.name(),
                u.pos.to_string(),
                format!("{}/{}", u.hp, u.max_hp),
                u.attack,
                u.defense,
                u.range,
                u.moves,
                u.sight,
                if u.fortified { "  fortified" } else { "" }
            );
        }
    } else {
        let _ = writeln!(
            out,
            "\n({} units; pass --units to list them all)",
            s.units.len()
        );
    }
    out
}
