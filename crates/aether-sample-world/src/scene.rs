//! Scene files: a sample world described as human-editable JSON.
//!
//! A scene reads like the sample states of the tactical game: the map is a list of rows of
//! terrain glyphs (`.` plains, `f` forest, `h` hills, `~` water, `^` mountain; water and
//! mountains are solid), then one line per entity, player, area, timer and script.
//!
//! ```json
//! {
//!   "name": "Village green",
//!   "description": "Two visitors, a well and a crate.",
//!   "format": 1,
//!   "ticks": 200,
//!   "map": [
//!     "......",
//!     "..~~.."
//!   ],
//!   "entities": [
//!     {"kind": "crate", "x": 1.5, "y": 0.5, "vx": 2.0, "hp": 25}
//!   ],
//!   "players": [
//!     {"id": 1, "name": "Ada", "joins": 0, "leaves": 120, "says": [{"tick": 40, "text": "hi"}]}
//!   ],
//!   "areas": [
//!     {"id": 1, "name": "well", "circle": {"x": 4.5, "y": 0.5, "radius": 1.0}},
//!     {"id": 2, "name": "gate", "tiles": {"x": 0, "y": 0, "w": 1, "h": 2}}
//!   ],
//!   "timers": [{"id": 1, "every": 20}],
//!   "scripts": [
//!     {"module": "scripts/welcome.wat", "priority": 10, "limits": {"max_cpu_ms_per_tick": 1.0}}
//!   ]
//! }
//! ```
//!
//! Positions are in world units: one unit is one tile, `x` grows east and `y` south, so the
//! centre of tile (2, 3) is (2.5, 3.5). Times are world ticks (20 a second). An entity's optional
//! `radius` (0.4), `fixed` (false) and `hp` (10) have those defaults. A scene places at most
//! [`MAX_ENTITIES`] entities, and no entity may overlap more than [`MAX_OVERLAPS`] others (a
//! pile of a thousand on one point takes the physics seconds and a gigabyte a tick: every pair
//! in it touches). Script modules are paths
//! relative to the scene file: a world-script graph, a `.wasm`, a `.wat` or a world-script mod
//! folder.
//!
//! Loading never panics and checks everything at once where it can: JSON mistakes name their
//! line and column, map mistakes their row and column, every other mistake the list and index
//! (`entities[3]: x = 40.5 is outside the 32 x 16 map`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use aether_world::LimitRequest;
use mc_tactical_types::Terrain;
use serde::Deserialize;

/// The scene format this crate reads and writes.
pub const SCENE_FORMAT: u32 = 1;

/// Largest map side, in tiles.
pub const MAX_MAP_SIDE: usize = 256;

/// Largest scene file, in bytes.
pub const MAX_SCENE_BYTES: u64 = 4 * 1024 * 1024;

/// Most entities a world holds: a scene may place this many, and a spawn past it is
/// `quota_exceeded`.
pub const MAX_ENTITIES: usize = 4096;

/// Most entities one entity may overlap where a scene places it or a script spawns it (a spawn
/// onto a spot more crowded is `not_permitted`).
pub const MAX_OVERLAPS: usize = 8;

/// Radius of an entity whose scene entry (or spawn) names none, in world units.
pub const DEFAULT_RADIUS: f32 = 0.4;

/// A sample world: its map, what is in it at tick 0, who comes and goes, its areas, timers and
/// scripts.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// Short title.
    pub name: String,
    /// A sentence or two for designers.
    pub description: String,
    /// Ticks a run lasts unless told otherwise.
    pub ticks: u64,
    /// Map width in tiles.
    pub width: usize,
    /// Map height in tiles.
    pub height: usize,
    /// Row-major terrain, `width * height` tiles.
    pub tiles: Vec<Terrain>,
    /// Entities present at tick 0, in file order (they get ids 1, 2, …).
    pub entities: Vec<SceneEntity>,
    /// Simulated players.
    pub players: Vec<ScenePlayer>,
    /// Areas that raise entered-area events.
    pub areas: Vec<SceneArea>,
    /// Timers that raise timer events.
    pub timers: Vec<SceneTimer>,
    /// Scripts that run in the world.
    pub scripts: Vec<SceneScript>,
    /// The folder relative script paths start from (the scene file's folder).
    pub base: PathBuf,
}

/// An entity at tick 0.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SceneEntity {
    /// What it is (`crate`, `ball`…): scripts see this word.
    pub kind: String,
    /// Where, in world units.
    pub x: f32,
    /// Where, in world units.
    pub y: f32,
    /// Starting velocity, units per second.
    #[serde(default)]
    pub vx: f32,
    /// Starting velocity, units per second.
    #[serde(default)]
    pub vy: f32,
    /// Its radius (it is a disc); [`DEFAULT_RADIUS`] when absent.
    #[serde(default = "default_radius")]
    pub radius: f32,
    /// Whether it never moves (a post, a statue).
    #[serde(default)]
    pub fixed: bool,
    /// Its hit points ([`DEFAULT_HP`] when absent).
    #[serde(default = "default_hp")]
    pub hp: i32,
}

/// The hit points an entity starts with when its scene line or its spawn says none.
pub const DEFAULT_HP: i32 = 10;
/// The most hit points an entity may have.
pub const MAX_HP: i32 = 1_000_000;

fn default_hp() -> i32 {
    DEFAULT_HP
}

fn default_radius() -> f32 {
    DEFAULT_RADIUS
}

/// A simulated player.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenePlayer {
    /// Its id (scripts address it by this number; 1 or more).
    pub id: u32,
    /// Its name.
    pub name: String,
    /// The tick it joins.
    #[serde(default)]
    pub joins: u64,
    /// The tick it leaves, if it does.
    #[serde(default)]
    pub leaves: Option<u64>,
    /// What it says, and when (a message event to every script).
    #[serde(default)]
    pub says: Vec<SceneSaying>,
}

/// Something a player says at a tick.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SceneSaying {
    /// When.
    pub tick: u64,
    /// What (the message body is these UTF-8 bytes).
    pub text: String,
}

/// An area: a circle or a rectangle of tiles.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneArea {
    /// Its id (1 or more), as scripts see it.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Its shape.
    pub shape: AreaShape,
}

/// The shape of an area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AreaShape {
    /// Every point within `radius` of the centre.
    Circle {
        /// Centre.
        x: f32,
        /// Centre.
        y: f32,
        /// Radius.
        radius: f32,
    },
    /// The tiles `x..x+w`, `y..y+h`.
    Tiles {
        /// First column.
        x: u32,
        /// First row.
        y: u32,
        /// Columns.
        w: u32,
        /// Rows.
        h: u32,
    },
}

impl AreaShape {
    /// Whether the point (x, y) lies inside.
    pub fn contains(&self, px: f32, py: f32) -> bool {
        match *self {
            AreaShape::Circle { x, y, radius } => {
                let (dx, dy) = (px - x, py - y);
                dx * dx + dy * dy <= radius * radius
            }
            AreaShape::Tiles { x, y, w, h } => {
                px >= x as f32 && px < (x + w) as f32 && py >= y as f32 && py < (y + h) as f32
            }
        }
    }
}

/// A timer: a timer event every `every` ticks, the first at tick `first`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SceneTimer {
    /// Its id (1 or more), as scripts see it.
    pub id: u32,
    /// Period in ticks (1 or more).
    pub every: u64,
    /// First tick it fires; `every` when absent.
    #[serde(default)]
    pub first: Option<u64>,
}

impl SceneTimer {
    /// Whether it fires at `tick`.
    pub fn fires_at(&self, tick: u64) -> bool {
        let first = self.first.unwrap_or(self.every);
        tick >= first && (tick - first).is_multiple_of(self.every.max(1))
    }
}

/// A script the scene runs.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SceneScript {
    /// The module: a `.wasm`, a `.wat` or a world-script mod folder, relative to the scene.
    pub module: String,
    /// Base priority (higher runs first).
    #[serde(default = "default_priority")]
    pub priority: u32,
    /// Limits that differ from the world's defaults (they may only be lower).
    #[serde(default)]
    pub limits: LimitRequest,
}

/// The priority of a script whose scene entry names none.
pub const DEFAULT_PRIORITY: u32 = 10;

fn default_priority() -> u32 {
    DEFAULT_PRIORITY
}

/// Why a scene could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    /// The file could not be read.
    #[error("{}: cannot read the scene: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Not JSON, or not the expected fields.
    #[error("{}line {line}, column {column}: {message}", prefix(path.as_deref()))]
    Json {
        /// The file, when read from disk.
        path: Option<PathBuf>,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Everything else wrong, each naming its place.
    #[error("{}{}", prefix(path.as_deref()), problems.join("; "))]
    Invalid {
        /// The file, when read from disk.
        path: Option<PathBuf>,
        /// Every problem, in file order (`map row 2, column 5: …`, `areas[0]: …`).
        problems: Vec<String>,
    },
}

fn prefix(path: Option<&Path>) -> String {
    path.map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}

impl SceneError {
    fn with_path(mut self, file: &Path) -> Self {
        match &mut self {
            SceneError::Io { .. } => {}
            SceneError::Json { path, .. } | SceneError::Invalid { path, .. } => {
                *path = Some(file.to_path_buf())
            }
        }
        self
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    legend: Option<String>,
    format: u32,
    #[serde(default = "default_ticks")]
    ticks: u64,
    map: Vec<String>,
    #[serde(default)]
    entities: Vec<SceneEntity>,
    #[serde(default)]
    players: Vec<ScenePlayer>,
    #[serde(default)]
    areas: Vec<AreaDoc>,
    #[serde(default)]
    timers: Vec<SceneTimer>,
    #[serde(default)]
    scripts: Vec<SceneScript>,
}

fn default_ticks() -> u64 {
    200
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AreaDoc {
    id: u32,
    name: String,
    #[serde(default)]
    circle: Option<CircleDoc>,
    #[serde(default)]
    tiles: Option<TilesDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CircleDoc {
    x: f32,
    y: f32,
    radius: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TilesDoc {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
}

/// The legend written into scene files, for whoever edits them by hand.
pub const MAP_LEGEND: &str = ". plains  f forest  h hills  ~ water (solid)  ^ mountain (solid)";

impl Scene {
    /// Reads and checks a scene file; relative script paths start from its folder.
    pub fn load(path: &Path) -> Result<Scene, SceneError> {
        let bytes = aether_base::fsutil::read_regular_file(path, MAX_SCENE_BYTES).map_err(|e| {
            SceneError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        })?;
        let text = String::from_utf8(bytes).map_err(|_| SceneError::Io {
            path: path.to_path_buf(),
            message: "the file is not UTF-8 text".into(),
        })?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Scene::parse(&text, base).map_err(|e| e.with_path(path))
    }

    /// Parses scene text; relative script paths start from `base`.
    pub fn parse(text: &str, base: PathBuf) -> Result<Scene, SceneError> {
        let doc: FileDoc = serde_json::from_str(text).map_err(|e| SceneError::Json {
            path: None,
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let _ = &doc.legend;
        let mut problems = Vec::new();
        if doc.format != SCENE_FORMAT {
            problems.push(format!(
                "`format` is {}, but this studio reads scene format {SCENE_FORMAT}{}",
                doc.format,
                if doc.format > SCENE_FORMAT {
                    "; the file was written by a newer studio: update the studio to open it"
                } else {
                    ""
                }
            ));
        }
        if doc.name.trim().is_empty() {
            problems.push("`name` must not be empty".into());
        }
        if doc.ticks == 0 || doc.ticks > 1_000_000 {
            problems.push(format!(
                "`ticks` must be between 1 and 1000000 (found {})",
                doc.ticks
            ));
        }
        let (width, height, tiles) = parse_map(&doc.map, &mut problems);
        let inside = |x: f32, y: f32| {
            x.is_finite()
                && y.is_finite()
                && x >= 0.0
                && y >= 0.0
                && x < width as f32
                && y < height as f32
        };
        let size = format!("{width} x {height}");
        for (i, e) in doc.entities.iter().enumerate() {
            let at = format!("entities[{i}] ({})", e.kind);
            if e.kind.trim().is_empty() || e.kind.len() > 64 || e.kind.chars().any(char::is_control)
            {
                problems.push(format!(
                    "entities[{i}]: `kind` must be 1 to 64 printable characters"
                ));
            }
            if !inside(e.x, e.y) {
                problems.push(format!(
                    "{at}: ({}, {}) is outside the {size} map",
                    e.x, e.y
                ));
            } else if width > 0 {
                let t = tiles[(e.y as usize) * width + e.x as usize];
                if is_solid(t) {
                    problems.push(format!(
                        "{at}: ({}, {}) is on {} tile ({}, {}), which is solid",
                        e.x,
                        e.y,
                        t.name(),
                        e.x as usize,
                        e.y as usize
                    ));
                }
            }
            if !(0..=MAX_HP).contains(&e.hp) {
                problems.push(format!(
                    "{at}: `hp` must be between 0 and {MAX_HP} (found {})",
                    e.hp
                ));
            }
            if !(e.radius.is_finite() && e.radius > 0.05 && e.radius <= 4.0) {
                problems.push(format!(
                    "{at}: `radius` must be between 0.05 and 4 (found {})",
                    e.radius
                ));
            }
            if !(e.vx.is_finite() && e.vy.is_finite() && e.vx.abs() <= 100.0 && e.vy.abs() <= 100.0)
            {
                problems.push(format!(
                    "{at}: the velocity must be finite and at most 100 units a second"
                ));
            }
        }
        if doc.entities.len() > MAX_ENTITIES {
            problems.push(format!(
                "entities: the scene places {} entities; a world holds at most {MAX_ENTITIES}",
                doc.entities.len()
            ));
        } else {
            crowded(&doc.entities, &mut problems);
        }
        let mut ids = BTreeSet::new();
        for (i, p) in doc.players.iter().enumerate() {
            if p.id == 0 || !ids.insert(p.id) {
                problems.push(format!(
                    "players[{i}]: `id` {} must be 1 or more and unique",
                    p.id
                ));
            }
            if p.name.trim().is_empty() || p.name.len() > 64 || p.name.chars().any(char::is_control)
            {
                problems.push(format!(
                    "players[{i}]: `name` must be 1 to 64 printable characters"
                ));
            }
            if let Some(leaves) = p.leaves
                && leaves <= p.joins
            {
                problems.push(format!(
                    "players[{i}] ({}): leaves at tick {leaves}, not after joining at tick {}",
                    p.name, p.joins
                ));
            }
            for (j, s) in p.says.iter().enumerate() {
                let online = s.tick >= p.joins && p.leaves.is_none_or(|l| s.tick < l);
                if !online {
                    problems.push(format!(
                        "players[{i}].says[{j}]: tick {} is not while {} is in the world",
                        s.tick, p.name
                    ));
                }
                if s.text.len() > 4096 {
                    problems.push(format!(
                        "players[{i}].says[{j}]: the text is longer than 4096 bytes"
                    ));
                }
            }
        }
        let mut areas = Vec::new();
        let mut ids = BTreeSet::new();
        for (i, a) in doc.areas.iter().enumerate() {
            if a.id == 0 || !ids.insert(a.id) {
                problems.push(format!(
                    "areas[{i}]: `id` {} must be 1 or more and unique",
                    a.id
                ));
            }
            let shape = match (&a.circle, &a.tiles) {
                (Some(c), None) => {
                    if !(inside(c.x, c.y) && c.radius.is_finite() && c.radius > 0.0) {
                        problems.push(format!(
                            "areas[{i}] ({}): the circle must have its centre on the {size} map and a positive radius",
                            a.name
                        ));
                    }
                    AreaShape::Circle {
                        x: c.x,
                        y: c.y,
                        radius: c.radius,
                    }
                }
                (None, Some(t)) => {
                    let fits = t.w > 0
                        && t.h > 0
                        && (t.x as usize).saturating_add(t.w as usize) <= width
                        && (t.y as usize).saturating_add(t.h as usize) <= height;
                    if !fits {
                        problems.push(format!(
                            "areas[{i}] ({}): tiles {}..{} x {}..{} must be a non-empty rectangle on the {size} map",
                            a.name,
                            t.x,
                            u64::from(t.x) + u64::from(t.w),
                            t.y,
                            u64::from(t.y) + u64::from(t.h)
                        ));
                    }
                    AreaShape::Tiles {
                        x: t.x,
                        y: t.y,
                        w: t.w,
                        h: t.h,
                    }
                }
                _ => {
                    problems.push(format!(
                        "areas[{i}] ({}): give exactly one of `circle` {{\"x\", \"y\", \"radius\"}} or `tiles` {{\"x\", \"y\", \"w\", \"h\"}}",
                        a.name
                    ));
                    continue;
                }
            };
            areas.push(SceneArea {
                id: a.id,
                name: a.name.clone(),
                shape,
            });
        }
        let mut ids = BTreeSet::new();
        for (i, t) in doc.timers.iter().enumerate() {
            if t.id == 0 || !ids.insert(t.id) {
                problems.push(format!(
                    "timers[{i}]: `id` {} must be 1 or more and unique",
                    t.id
                ));
            }
            if t.every == 0 {
                problems.push(format!("timers[{i}]: `every` must be 1 tick or more"));
            }
        }
        for (i, s) in doc.scripts.iter().enumerate() {
            if s.module.trim().is_empty() {
                problems.push(format!("scripts[{i}]: `module` must name a file"));
            }
        }
        if !problems.is_empty() {
            return Err(SceneError::Invalid {
                path: None,
                problems,
            });
        }
        Ok(Scene {
            name: doc.name,
            description: doc.description,
            ticks: doc.ticks,
            width,
            height,
            tiles,
            entities: doc.entities,
            players: doc.players,
            areas,
            timers: doc.timers,
            scripts: doc.scripts,
            base,
        })
    }

    /// The terrain at tile (x, y), if on the map.
    pub fn terrain(&self, x: i64, y: i64) -> Option<Terrain> {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return None;
        }
        self.tiles
            .get(y as usize * self.width + x as usize)
            .copied()
    }

    /// The path of script `i`'s module.
    pub fn script_path(&self, i: usize) -> Option<PathBuf> {
        self.scripts.get(i).map(|s| self.base.join(&s.module))
    }

    /// The scene drawn as text: the map with entities (`o`, fixed ones `#`), area outlines
    /// (`1`–`9` for their ids where nothing else is), then the lists.
    pub fn draw(&self) -> String {
        let mut grid: Vec<Vec<char>> = (0..self.height)
            .map(|y| {
                (0..self.width)
                    .map(|x| self.tiles[y * self.width + x].glyph())
                    .collect()
            })
            .collect();
        for a in &self.areas {
            let mark = char::from_digit(a.id % 36, 36).unwrap_or('*');
            for (y, row) in grid.iter_mut().enumerate() {
                for (x, c) in row.iter_mut().enumerate() {
                    if a.shape.contains(x as f32 + 0.5, y as f32 + 0.5) && *c == '.' {
                        *c = mark;
                    }
                }
            }
        }
        for e in &self.entities {
            let (x, y) = (e.x as usize, e.y as usize);
            if let Some(c) = grid.get_mut(y).and_then(|r| r.get_mut(x)) {
                *c = if e.fixed { '#' } else { 'o' };
            }
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} ({} x {} tiles)",
            self.name, self.width, self.height
        );
        if !self.description.is_empty() {
            let _ = writeln!(out, "{}", self.description);
        }
        let _ = writeln!(out);
        for row in grid {
            let _ = writeln!(out, "  {}", row.into_iter().collect::<String>());
        }
        let _ = writeln!(out, "\n  {MAP_LEGEND}");
        let _ = writeln!(out, "  o entity  # fixed entity  1-9 areas by id\n");
        let _ = writeln!(out, "Entities ({}):", self.entities.len());
        for (i, e) in self.entities.iter().enumerate() {
            let _ = writeln!(
                out,
                "  #{:<3} {:<10} at ({:.1}, {:.1}){}",
                i + 1,
                e.kind,
                e.x,
                e.y,
                if e.fixed { ", fixed" } else { "" }
            );
        }
        let _ = writeln!(out, "Players ({}):", self.players.len());
        for p in &self.players {
            let leaves = p
                .leaves
                .map(|l| format!(", leaves at tick {l}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<3} {:<12} joins at tick {}{leaves}, says {} thing(s)",
                p.id,
                p.name,
                p.joins,
                p.says.len()
            );
        }
        let _ = writeln!(out, "Areas ({}):", self.areas.len());
        for a in &self.areas {
            let shape = match a.shape {
                AreaShape::Circle { x, y, radius } => {
                    format!("circle at ({x:.1}, {y:.1}), radius {radius:.1}")
                }
                AreaShape::Tiles { x, y, w, h } => format!("tiles {x}..{} x {y}..{}", x + w, y + h),
            };
            let _ = writeln!(out, "  {:<3} {:<12} {shape}", a.id, a.name);
        }
        let _ = writeln!(out, "Timers ({}):", self.timers.len());
        for t in &self.timers {
            let _ = writeln!(
                out,
                "  {:<3} every {} ticks from tick {}",
                t.id,
                t.every,
                t.first.unwrap_or(t.every)
            );
        }
        let _ = writeln!(out, "Scripts ({}):", self.scripts.len());
        for s in &self.scripts {
            let _ = writeln!(out, "  {} (priority {})", s.module, s.priority);
        }
        let _ = writeln!(out, "Runs {} ticks by default.", self.ticks);
        out
    }
}

/// A problem for each entity (the first five, then how many more) that overlaps more than
/// [`MAX_OVERLAPS`] others. Every pair is compared: at most 4,096 entities, a few milliseconds.
fn crowded(entities: &[SceneEntity], problems: &mut Vec<String>) {
    let mut found = 0;
    for (i, e) in entities.iter().enumerate() {
        let overlapping = entities
            .iter()
            .enumerate()
            .filter(|&(j, o)| {
                let (dx, dy, r) = (o.x - e.x, o.y - e.y, o.radius + e.radius);
                j != i && dx * dx + dy * dy < r * r
            })
            .count();
        if overlapping > MAX_OVERLAPS {
            found += 1;
            if found <= 5 {
                problems.push(format!(
                    "entities[{i}] ({}): at ({}, {}) it overlaps {overlapping} other entities; \
                     at most {MAX_OVERLAPS} may overlap one (a pile takes the physics a long \
                     time every tick), so spread them out",
                    e.kind, e.x, e.y
                ));
            }
        }
    }
    if found > 5 {
        problems.push(format!(
            "entities: {} more entities overlap more than {MAX_OVERLAPS} others",
            found - 5
        ));
    }
}

/// Whether bodies cannot enter a tile of this terrain.
pub fn is_solid(t: Terrain) -> bool {
    matches!(t, Terrain::Water | Terrain::Mountain)
}

fn parse_map(rows: &[String], problems: &mut Vec<String>) -> (usize, usize, Vec<Terrain>) {
    if rows.is_empty() {
        problems.push("`map` must have at least one row".into());
        return (0, 0, Vec::new());
    }
    let width = rows[0].chars().count();
    if width == 0 || width > MAX_MAP_SIDE || rows.len() > MAX_MAP_SIDE {
        problems.push(format!(
            "`map` must be 1 to {MAX_MAP_SIDE} tiles on each side (found {width} x {})",
            rows.len()
        ));
        return (0, 0, Vec::new());
    }
    let mut tiles = Vec::with_capacity(width * rows.len());
    for (y, row) in rows.iter().enumerate() {
        let n = row.chars().count();
        if n != width {
            problems.push(format!(
                "map row {y}: has {n} tiles, but row 0 has {width}; every row must be as long"
            ));
        }
        for (x, c) in row.chars().enumerate().take(width) {
            match Terrain::from_glyph(c) {
                Some(t) => tiles.push(t),
                None => {
                    problems.push(format!(
                        "map row {y}, column {x}: unknown glyph {c:?}; use {MAP_LEGEND}"
                    ));
                    tiles.push(Terrain::Plains);
                }
            }
        }
        for _ in n..width {
            tiles.push(Terrain::Plains);
        }
    }
    (width, rows.len(), tiles)
}
