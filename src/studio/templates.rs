//! What a new graph starts from: the AI-controller and world-script templates (the files of
//! `examples/graphs/`, built into the binary) and the sample the preview starts on.

use aether_lang::VisualScriptGraph;
use aether_lang::graph::ScriptKind;

/// The templates a new graph can start from: (title, file text).
pub const TEMPLATES: [(&str, &str); 5] = [
    (
        "Melee rusher",
        include_str!("../../examples/graphs/melee-rusher.mcgraph.json"),
    ),
    (
        "Archer skirmisher",
        include_str!("../../examples/graphs/archer-skirmisher.mcgraph.json"),
    ),
    (
        "Hill defender",
        include_str!("../../examples/graphs/hill-defender.mcgraph.json"),
    ),
    (
        "Mage support",
        include_str!("../../examples/graphs/mage-support.mcgraph.json"),
    ),
    (
        "Tactician",
        include_str!("../../examples/graphs/tactician.mcgraph.json"),
    ),
];

/// The sample the preview starts on (the mid-size one).
pub const DEFAULT_SAMPLE: &str = "states/battle";

/// The world-script templates: (title, file text).
pub const WORLD_TEMPLATES: [(&str, &str); 4] = [
    (
        "Wave spawner",
        include_str!("../../examples/graphs/wave-spawner.mcgraph.json"),
    ),
    (
        "King of the hill scoreboard",
        include_str!("../../examples/graphs/hill-scoreboard.mcgraph.json"),
    ),
    (
        "Announcer",
        include_str!("../../examples/graphs/announcer.mcgraph.json"),
    ),
    (
        "Physics bumper",
        include_str!("../../examples/graphs/bumper.mcgraph.json"),
    ),
];

/// A template graph by index (0: the melee rusher).
pub fn template(index: usize) -> VisualScriptGraph {
    TEMPLATES
        .get(index)
        .and_then(|(_, text)| VisualScriptGraph::from_json(text).ok())
        .unwrap_or_default()
}

/// A world-script template by index (0: the wave spawner).
pub fn world_template(index: usize) -> VisualScriptGraph {
    WORLD_TEMPLATES
        .get(index)
        .and_then(|(_, text)| VisualScriptGraph::from_json(text).ok())
        .unwrap_or_else(VisualScriptGraph::new_world_script)
}

/// What File > New starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewGraph {
    /// An AI-controller template, by index.
    Ai(usize),
    /// A world-script template, by index.
    World(usize),
    /// An empty graph of this kind.
    Empty(ScriptKind),
}
